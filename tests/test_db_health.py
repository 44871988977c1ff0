"""monitoring_site.postgresql: the health check at the start of a request asks the server only
when the connection is not quiet, and still finds a connection the server has ended."""

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's health check")
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


@pytest.fixture
def asked(monkeypatch):
    """How often the full test (``SELECT 1`` on the server) ran, and what it answered."""
    calls = []
    full = django_postgresql.DatabaseWrapper.is_usable

    def spy(self):
        calls.append(full(self))
        return calls[-1]

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", spy)
    return calls


def _other():
    return connections.create_connection("default")


def _until_readable(wrapper) -> None:
    import select

    deadline = time.monotonic() + 5
    while not select.select([wrapper.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "nothing arrived on the connection"


def test_a_quiet_connection_is_usable_without_asking_the_server(kept, asked):
    assert type(kept).__module__ == "monitoring_site.postgresql.base"
    for _n in range(3):
        assert kept.is_usable()
    assert asked == []


def test_a_connection_the_server_ended_is_not_usable(kept, asked):
    with kept.connection.cursor() as cursor:
        pid = cursor.execute("SELECT pg_backend_pid()").fetchone()[0]
    other = _other()
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    other.close()
    _until_readable(kept)
    assert not kept.is_usable()
    assert asked == [False]  # the server was asked, and the connection failed


def test_a_message_the_server_sent_by_itself_is_read_and_the_connection_kept(kept, asked):
    with kept.connection.cursor() as cursor:
        cursor.execute("LISTEN health_check_test")
    other = _other()
    with other.cursor() as cursor:
        cursor.execute("NOTIFY health_check_test")
    other.close()
    _until_readable(kept)
    assert kept.is_usable()
    assert asked == [True]
    assert kept.is_usable()  # what waited was read: quiet again
    assert asked == [True]


def test_a_connection_in_a_transaction_is_asked(kept, asked):
    kept.connection.execute("BEGIN")
    assert kept.is_usable()
    assert asked == [True]
    kept.connection.execute("ROLLBACK")
