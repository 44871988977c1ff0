from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import person_of


class PasswordChangeRequiredMiddleware:
    """A first login with an issued password (or one reset by county staff) must change it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        person = person_of(request.user)
        if person is not None and person.must_change_password:
            allowed = {reverse("password_change"), reverse("logout"), reverse("set_language")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/i18n/")):
                messages.info(request, _("Please choose your own password before you continue."))
                return redirect("password_change")
        return self.get_response(request)
