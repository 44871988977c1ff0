from collections.abc import Sequence
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.staticfiles import finders
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from .audit import history_user
from .permissions import person_of


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        person = person_of(self.request.user)
        if person is not None and person.must_change_password:
            person.must_change_password = False
            history_user(person, self.request.user)
            person.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password has been changed."))
        return response


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> HttpResponse:
    """A bare page for load balancers and monitoring: the app answers, through every middleware,
    without touching the database (also the floor the load benchmark compares pages with)."""
    return render(request, "healthz.html")


def import_status(
    request: HttpRequest,
    *,
    batch: Any,  # a rounds.ImportBatch (monitoring_site does not import the apps)
    heading: str,
    links: Sequence[tuple[str, str]] = (),
    busy: bool | None = None,
    **context: Any,
) -> HttpResponse:
    """An import's page (``templates/imports/detail.html``), or its status fragment when htmx
    polls (``templates/imports/_status.html``): the same for every import. ``busy`` (default:
    neither finished nor waiting for confirmation) keeps the fragment polling; ``context``
    may add ``caption``, ``confirm_url``, ``cancel_url``, ``difference``, ``replaces_name``, ``done_note``,
    ``done_link`` (url, label),
    ``tabs`` (a template to include above the status), ``below`` (one to include under it)
    and what those need."""
    if busy is None:
        busy = not batch.is_finished and batch.status != "awaiting"
    difference = context.get("difference") or {}
    cleared = difference.get("cleared", {})
    context["difference_columns"] = [(c, n, cleared.get(c, 0)) for c, n in difference.get("changed_columns", {}).items()]
    template = "imports/_status.html" if getattr(request, "htmx", False) else "imports/detail.html"
    return render(
        request, template, {**context, "batch": batch, "busy": busy, "poll_url": request.path, "heading": heading, "links": links}
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so that its scope covers every page (a worker
    under /static/ could only control /static/). Never kept stale: the browser checks it on
    every visit."""
    path = finders.find("js/sw.js")
    with open(cast(str, path), encoding="utf-8") as source:
        response = HttpResponse(source.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


class LogoutView(auth_views.LogoutView):
    """Signing out also clears the device's copy: the browser drops the pages kept for working
    offline, the records queued in IndexedDB and the service worker (offline.js asks first
    when records are still unsent)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
