"""Django's own PostgreSQL backend with CONN_HEALTH_CHECKS: a kept connection that the server
ended is found before a request uses it and replaced (the request does not get a 500), and TCP
keepalives are asked for, so a connection a firewall or a crashed host dropped is found too."""

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's health check")
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _pid(wrapper) -> int:
    with wrapper.connection.cursor() as cursor:
        return cursor.execute("SELECT pg_backend_pid()").fetchone()[0]


def test_kept_connections_are_checked_and_kept_alive(kept):
    assert type(kept).__module__ == "django.db.backends.postgresql.base"
    assert kept.settings_dict["CONN_HEALTH_CHECKS"] is True
    options = kept.settings_dict["OPTIONS"]
    assert options["keepalives"] == 1 and options["keepalives_idle"] > 0 and options["keepalives_count"] > 0
    with kept.connection.cursor() as cursor:  # libpq took them: the server sees the socket option
        assert cursor.execute("SHOW tcp_keepalives_idle").fetchone() is not None


def test_a_connection_the_server_ended_is_replaced_before_the_next_request(kept):
    ended = _pid(kept)
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
        assert cursor.fetchone()[0] is True
    other.close()
    kept.health_check_done = False  # as at the start of a request (request_started)
    kept.close_if_health_check_failed()
    assert kept.connection is None  # found and dropped, not handed to the request
    kept.ensure_connection()
    assert _pid(kept) != ended


def test_a_healthy_connection_is_kept(kept):
    before = _pid(kept)
    kept.health_check_done = False
    kept.close_if_health_check_failed()
    assert kept.connection is not None and _pid(kept) == before
