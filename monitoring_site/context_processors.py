from django.conf import settings

from .permissions import person_of


def navigation(request):
    person = person_of(getattr(request, "user", None))
    return {"person": person, "app_county": person.county if person else None, "session_idle_seconds": settings.SESSION_COOKIE_AGE}
