"""The requests the views receive, typed for mypy (django-stubs' and django-htmx's advice):
the same HttpRequest at run time, with what the middleware and ``require_perm`` guarantee."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """Any request: django-htmx's middleware adds ``htmx``."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request past ``require_perm`` or ``login_required``: a signed-in user."""

    user: User
