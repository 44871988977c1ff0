from typing import Any

from django.conf import settings
from django.contrib.auth.context_processors import PermLookupDict, PermWrapper

from .permissions import person_of


class _AppPerms(PermLookupDict):
    def __init__(self, user, app_label, answers: dict[str, bool]):
        super().__init__(user, app_label)
        self.answers = answers

    def __getitem__(self, perm_name):
        perm = f"{self.app_label}.{perm_name}"
        if perm not in self.answers:
            self.answers[perm] = self.user.has_perm(perm)
        return self.answers[perm]


class PagePermWrapper(PermWrapper):
    """``perms`` for one page: each permission is asked of the user once per render, however
    often the navigation, the page, its includes and its loop rows ask it again (each ask
    runs the role's rules and every backend)."""

    def __init__(self, user):
        super().__init__(user)
        self.answers: dict[str, bool] = {}

    def __getitem__(self, app_label):
        return _AppPerms(self.user, app_label, self.answers)


def navigation(request):
    user = getattr(request, "user", None)
    person = person_of(user)
    context: dict[str, Any] = {
        "person": person,
        "app_county": person.county if person else None,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }
    if user is not None:
        context["perms"] = PagePermWrapper(user)  # replaces django.contrib.auth's (kept for the admin's check)
    return context
