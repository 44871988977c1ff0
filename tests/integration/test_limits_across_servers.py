"""The guessing limits hold across server processes: two gunicorn servers share the cache in
Redis (the access-code limit) and the database (django-axes's log-in lockout), so a guesser who
spreads attempts over both is stopped after the same number as on one."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.db import connection

from questionnaires import ratelimit

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_servers(require_services, tmp_path):
    require_services("REDIS_URL", "DATABASE_URL")
    if connection.vendor != "postgresql":
        pytest.fail("two servers need DATABASE_URL to point at PostgreSQL")
    cache_url = django_settings.CACHES["default"].get("LOCATION")
    assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), "REDIS_URL set: the cache must be Redis"
    s = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        "CACHE_URL": cache_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    env.pop("CELERY_BROKER_URL", None)
    servers, ports = [], [_free_port(), _free_port()]
    for port in ports:
        log = open(tmp_path / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed with the process
        servers.append(
            subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
                [sys.executable, "-m", "gunicorn", "monitoring_site.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        for port, server in zip(ports, servers, strict=True):
            deadline = time.time() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()  # noqa: S310 - loopback
                    break
                except OSError:
                    assert server.poll() is None and time.time() < deadline, (tmp_path / f"gunicorn-{port}.log").read_text()
                    time.sleep(0.3)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


class Browser:
    """One visitor (one cookie jar) who may send each request to either server."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def post_form(self, page: str, fields: dict) -> int:
        with self.opener.open(page, timeout=10) as answer:  # noqa: S310 - loopback
            token = TOKEN.search(answer.read().decode())[1]
        data = urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(page, data=data, headers={"Referer": page})  # noqa: S310 - loopback
        try:
            with self.opener.open(request, timeout=10) as answer:  # noqa: S310 - loopback
                return answer.status
        except urllib.error.HTTPError as refused:
            return refused.code


def test_wrong_access_codes_spread_over_two_servers_are_counted_together(two_servers):
    guesser = Browser()
    answers = [
        guesser.post_form(f"{two_servers[i % 2]}/questionnaires/q/", {"code": f"WRONGCODE{i % 10}"}) for i in range(ratelimit.MAX_FAILURES)
    ]
    assert set(answers) == {200}  # each refused with the form again, neither server blocking yet
    for server in two_servers:  # the next attempt is blocked by both, whichever took the failures
        assert guesser.post_form(f"{server}/questionnaires/q/", {"code": "WRONGCODE0"}) == 429


def test_wrong_passwords_spread_over_two_servers_lock_the_account_on_both(two_servers):
    guesser = Browser()
    for i in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert guesser.post_form(f"{two_servers[i % 2]}/accounts/login/", {"username": "jiance", "password": "wrong"}) == 200
    # The limit is reached on the other server; from then on both refuse the account.
    assert guesser.post_form(f"{two_servers[1]}/accounts/login/", {"username": "jiance", "password": "wrong"}) == 429
    assert guesser.post_form(f"{two_servers[0]}/accounts/login/", {"username": "jiance", "password": "wrong"}) == 429
