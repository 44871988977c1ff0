"""The project's URLs, and after them ``/bench/layout``: a signed-in page in the site's layout
(base.html: navigation, the user's role, messages, language) with nothing in it — what every
page pays for its frame, between the bare ``/healthz`` floor and the real pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from monitoring_site.urls import urlpatterns as site_urlpatterns

_EMPTY = engines["django"].from_string('{% extends "base.html" %}{% block content %}<h1>—</h1>{% endblock %}')


@login_required
def layout(request):
    return HttpResponse(_EMPTY.render({}, request))


urlpatterns = [*site_urlpatterns, path("bench/layout", layout)]
