"""Rendered pages kept between visits until a table they were read from changes.

A page decorated with :func:`kept_page` is rendered once per user, address and language; while
none of the tables its queries read has changed since, the next visit of the same user gets
the same HTML without running the view. Access is still decided on every visit: the role's
decorators (``require_perm``, ``login_required``) sit outside this one, and the tables every
scope check reads (the account, the person and their schools, the county) are always counted
among a page's tables.

How changes are seen. Every statement any process sends through Django's connection (ORM,
``update()``, ``bulk_create``, raw SQL, the admin, management commands, Celery tasks) passes
an execute wrapper: a write names the tables it changes, and once its transaction commits
their generation counters are raised in a store every process shares (Redis when the site has
one; in-process otherwise, which is right for the single-process demo server and the test
suite). While a kept page renders, the same wrapper collects the tables its reads name. The
rendering is stored with those tables' generations, and served while they are unchanged.
``COPY`` sent through psycopg's own cursor passes no wrapper: :func:`tables_written` raises
the generations by hand there (``results.imports``).

Races: every table's generation is read before the render (one command) and those of the
tables it read again after; if one of them moved, a change to what the page shows committed
meanwhile and the rendering is served but not kept. Commits to other tables — the autosaves
of test day — do not stop a page from being kept. A rendering made in a transaction that
has written is never kept nor served from (its data may yet be rolled back), nor one whose
view wrote (an access log, a template made on first view: those must happen on each visit),
nor one that showed the visitor a message.

Per visitor: the CSRF token is rendered as a placeholder and each visitor's own token is put
in on the way out; the key holds the user, full path, host, language, htmx headers and the
date; a kept page lives at most ``PAGE_CACHE_SECONDS`` (what shows "today" or "overdue" moves
on its own).

Why by hand: Django's ``cache_page`` keys by address and expires by time only (one user's page
could reach another; data changed meanwhile would show stale); query caches such as
django-cacheops keep query results, invalidated by ORM signals that ``update()``, raw SQL
and ``COPY`` bypass — and most of a page's time here is template rendering, not queries.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone, translation

log = logging.getLogger(__name__)

#: What ``{% csrf_token %}`` and ``{{ csrf_token }}`` render while a kept page renders.
CSRF_PLACEHOLDER = "csrf-placeholder-kept-page-4f7c1e"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()

_WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "COPY", "TRUNCATE", "ALTER", "DROP", "CREATE", "REPLACE", "MERGE"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


# --- which tables a statement names ---------------------------------------------------------------


_table_names: frozenset[str] | None = None


@functools.cache
def _every_table() -> list[str]:
    """The project's tables in a fixed order (their generations are read before each rendering)."""
    return sorted(_known_tables())


def _known_tables() -> frozenset[str]:
    global _table_names
    if _table_names is None:
        from django.apps import apps

        names = set()
        for model in apps.get_models(include_auto_created=True):
            names.add(model._meta.db_table)
        _table_names = frozenset(names)
    return _table_names


def tables_in(sql: str) -> set[str]:
    """The project's tables a statement names (quoted or not)."""
    known = _known_tables()
    return {word for word in _WORD.findall(sql) if word in known}


def _is_write(sql: str) -> bool:
    head = sql.lstrip()[:10].split(None, 1)
    first = head[0].upper() if head else ""
    if first in _WRITE_WORDS:
        return True
    if first == "WITH":  # a CTE may end in a write
        return any(word in _WRITE_WORDS for word in (w.upper() for w in _WORD.findall(sql)))
    return False


# The table a data-changing statement (or each of its CTEs) changes: the one after INSERT INTO,
# UPDATE, DELETE FROM, MERGE INTO or COPY. (``ON CONFLICT DO UPDATE SET`` and ``FOR UPDATE OF``
# name no project table there.) The project has no triggers and no cascades in the database
# (Django runs them as statements of their own), so the tables a statement only reads — the
# round its EXISTS checks, the rows its subquery picks — are not changed by it.
_TARGET = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|COPY)\s+(?:ONLY\s+)?\"?([A-Za-z_][A-Za-z0-9_$]*)", re.I)


def tables_changed(sql: str) -> set[str]:
    """The project's tables a write changes: the targets of its data-changing parts; every table it
    names when it has none found (TRUNCATE, ALTER, DROP, CREATE…: change all, to be safe)."""
    known = _known_tables()
    targets = {name for name in _TARGET.findall(sql) if name in known}
    return targets or tables_in(sql)


# --- the generations' store ---------------------------------------------------------------------


class LocalGenerations:
    """In-process counters: right when one process serves and writes (demo server, tests)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def bump(self, namespace: str, tables: AbstractSet[str]) -> None:
        with self._lock:
            for name in sorted(tables):
                key = f"{namespace}:{name}"
                self._counts[key] = self._counts.get(key, 0) + 1

    def read(self, namespace: str, tables: list[str]) -> list[int | None]:
        """The tables' counters (None: never changed)."""
        with self._lock:
            return [self._counts.get(f"{namespace}:{name}") for name in tables]


class RedisGenerations:
    """Counters in Redis, shared by every web process and worker.

    Each thread talks to Redis over a connection of its own, one command and its answer at a
    time, with redis-py's connection-level calls: its client-level ``execute_command`` (pool
    checkout, retry wrapper, response callbacks) costs twice the CPU, and a questionnaire
    autosave pays this once per save. A command whose connection broke is sent once more on a
    new connection (as redis-py's client would)."""

    # One command for all the tables a commit changed. A counter Redis does not hold (never
    # raised, or lost when Redis restarted without its data) starts from Redis's clock in
    # microseconds, not from 1: a count lost with a restart can never climb back to a value a
    # page kept before it (one more write after the restart would otherwise match a page kept
    # after one write before, and serve it stale).
    _BUMP = (
        "local now = redis.call('TIME') "
        "for _, key in ipairs(KEYS) do "
        "if redis.call('EXISTS', key) == 1 then redis.call('INCR', key) "
        "else redis.call('SET', key, now[1] * 1000000 + now[2]) end end"
    )

    def __init__(self, url: str):
        import redis

        self._pool = redis.ConnectionPool.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._local = threading.local()

    def _call(self, *command):
        import redis

        local = self._local
        if getattr(local, "conn", None) is None or local.pid != os.getpid():  # none yet, or inherited through a fork
            local.conn, local.pid = self._pool.make_connection(), os.getpid()
        try:
            return self._send(local.conn, command)
        except (redis.ConnectionError, redis.TimeoutError):
            return self._send(local.conn, command)  # once more: the connection is made anew

    @staticmethod
    def _send(conn, command):
        try:
            conn.send_command(*command)
            return conn.read_response()
        except Exception:
            conn.disconnect()
            raise

    def bump(self, namespace: str, tables: AbstractSet[str]) -> None:
        keys = [f"pagegen:{namespace}:{name}" for name in sorted(tables)]
        self._call("EVAL", self._BUMP, len(keys), *keys)

    def read(self, namespace: str, tables: list[str]) -> list[int | None]:
        values = self._call("MGET", *[f"pagegen:{namespace}:{name}" for name in tables])
        return [None if v is None else int(v) for v in values]


_store = None
_store_lock = threading.Lock()


def store():
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                url = getattr(settings, "PAGE_CACHE_REDIS_URL", "")
                _store = RedisGenerations(url) if url else LocalGenerations()
    return _store


def _namespace(conn=None) -> str:
    return str((conn or connection).settings_dict.get("NAME") or "default")


# --- the wrapper on every connection ------------------------------------------------------------


class _State(threading.local):
    reading: set[str] | None = None  # the tables read while a kept page renders
    wrote: bool = False


_state = _State()


def _bump_now(namespace: str, tables: AbstractSet[str]) -> None:
    try:
        store().bump(namespace, tables)
    except Exception:  # the store unreachable: forget this process's pages rather than risk stale ones
        log.warning("page cache: could not record a change of %s; this process's kept pages dropped", sorted(tables), exc_info=True)
        _pages.clear()


class CommitHook:
    """Raises the generations of the tables a connection's transaction wrote, once it commits.
    One per connection, registered once per savepoint level (not once per statement)."""

    def __init__(self, conn):
        self.conn = conn

    def __call__(self):
        conn = self.conn
        tables = conn.__dict__.pop("_kept_page_pending", None)
        conn._kept_page_dirty = False
        if tables:
            _bump_now(_namespace(conn), tables)


def _note_write(conn, tables: AbstractSet[str]) -> None:
    if not conn.in_atomic_block:  # autocommit: already committed
        _bump_now(_namespace(conn), tables)
        return
    conn._kept_page_dirty = True
    conn.__dict__.setdefault("_kept_page_pending", set()).update(tables)
    hook = conn.__dict__.get("_kept_page_hook")
    if hook is None:
        hook = conn._kept_page_hook = CommitHook(conn)
    # A hook registered outside every savepoint still open survives any rollback to them; a
    # statement that is itself rolled back needs no hook. (Tables of rolled-back statements stay
    # pending: raised with the next commit, which costs a rendering at most.)
    current = set(conn.savepoint_ids)
    if not any(func is hook and sids <= current for sids, func, _robust in conn.run_on_commit):
        conn.on_commit(hook)


def tables_written(tables: set[str], using: str = "default") -> None:
    """Record a write that passes no execute wrapper (psycopg's ``COPY``): the tables'
    generations are raised once the current transaction commits."""
    _note_write(connections[using], set(tables))


@functools.lru_cache(maxsize=4096)
def _statement(sql: str) -> tuple[bool, frozenset[str]]:
    """(is it a write, the tables it changes — or reads, for a read). The ORM sends the same
    statement text with other parameters again and again: each text is looked at once."""
    if _is_write(sql):
        return True, frozenset(tables_changed(sql))
    return False, frozenset(tables_in(sql))


def _execute_wrapper(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    conn = context["connection"]
    if not conn.in_atomic_block:
        conn._kept_page_dirty = False
    write, tables = _statement(sql)
    if write:
        if _state.reading is not None:
            _state.wrote = True
        if tables:
            _note_write(conn, tables)
    elif _state.reading is not None:
        _state.reading |= tables
    return result


def _install(sender=None, connection=None, **_kwargs):
    if connection is not None and _execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_execute_wrapper)


def install() -> None:
    """Called once at start-up (``rounds.apps``): every connection, now and later, gets the wrapper."""
    connection_created.connect(_install, dispatch_uid="kept_page_wrapper")
    for conn in connections.all(initialized_only=True):
        _install(connection=conn)


# --- kept pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    tables: tuple[str, ...]
    generations: tuple[int | None, ...]
    made: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class _Pages:
    """The renderings this process keeps, the least recently used dropped first."""

    def __init__(self, size: int):
        self.size = size
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple, _Page] = OrderedDict()

    def get(self, key) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, page: _Page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def drop(self, key) -> None:
        with self._lock:
            self._pages.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


_pages = _Pages(size=500)


@functools.cache
def _always_read() -> frozenset[str]:
    """Tables every page depends on without querying them in the view: the account, its person,
    the person's schools and county (fetched by the authentication backend before the view)."""
    from django.contrib.auth import get_user_model

    from rounds.models import County, Person

    tables = {get_user_model()._meta.db_table, Person._meta.db_table, County._meta.db_table}
    tables |= {field.remote_field.through._meta.db_table for field in Person._meta.many_to_many}
    return frozenset(tables)


def _key(request, view_name: str) -> tuple:
    headers = request.headers
    return (
        view_name, _namespace(), request.user.pk, request.get_full_path(), request.get_host(), request.scheme,
        translation.get_language(), headers.get("HX-Request"), headers.get("HX-Target"), headers.get("HX-Trigger"),
        timezone.localdate().isoformat(),
    )


def _has_messages(request) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


def _with_token(body: bytes, request) -> bytes:
    """The visitor's own CSRF token where the rendering has the placeholder."""
    from django.middleware.csrf import get_token

    return body.replace(_PLACEHOLDER_BYTES, get_token(request).encode()) if _PLACEHOLDER_BYTES in body else body


def _written_here() -> bool:
    """This connection is in a transaction that has written (and may yet be rolled back)."""
    return connection.in_atomic_block and getattr(connection, "_kept_page_dirty", False)


def _serve(request, page: _Page):
    from django.http import HttpResponse

    response = HttpResponse(_with_token(page.body, request), status=page.status)
    for header, value in page.headers:
        response[header] = value
    return response


def _keepable(response) -> bool:
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
    )


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", False)


def kept_page(view):
    """Keep this GET page's rendering per user until a table it read changes (see the module)."""
    view_name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not enabled() or request.method != "GET" or not request.user.is_authenticated or _has_messages(request):
            return _render(view, request, *args, **kwargs)
        key = _key(request, view_name)
        namespace = key[1]
        page = _pages.get(key)
        if page is not None and not _written_here():
            try:
                now = store().read(namespace, list(page.tables))
            except Exception:
                log.warning("page cache: the store is unreachable; page rendered afresh", exc_info=True)
                return _render(view, request, *args, **kwargs)
            if tuple(now) == page.generations and time.monotonic() - page.made < settings.PAGE_CACHE_SECONDS:
                return _serve(request, page)
            _pages.drop(key)
        every = _every_table()
        try:
            before = dict(zip(every, store().read(namespace, every), strict=True))
        except Exception:
            log.warning("page cache: the store is unreachable; page rendered afresh", exc_info=True)
            return _render(view, request, *args, **kwargs)
        _state.reading, _state.wrote = set(_always_read()), False
        try:
            response = _render(view, request, *args, **kwargs, placeholder=True)
            tables, wrote = _state.reading, _state.wrote
        finally:
            _state.reading, _state.wrote = None, False
        keep = (
            _keepable(response) and not wrote and not _has_messages(request)
            and not _written_here()
        )
        if keep:
            names = tuple(sorted(tables))
            try:
                now = store().read(namespace, list(names))
            except Exception:
                now = None
            if now is not None and all(before[name] == generation for name, generation in zip(names, now, strict=True)):
                headers = tuple((h, v) for h, v in response.items() if h.lower() != "content-length")
                _pages.put(key, _Page(names, tuple(now), time.monotonic(), response.status_code, headers, response.content))
        if not getattr(response, "streaming", False):
            response.content = _with_token(response.content, request)
        return response

    wrapped.kept_page = True
    return transaction.non_atomic_requests(wrapped)


def _render(view, request, *args, placeholder: bool = False, **kwargs):
    """The view in a transaction of its own (the request's is left off kept pages, so that the
    generations are read before the first query), rendered before the transaction ends."""
    request._kept_page_placeholder = placeholder
    try:
        with transaction.atomic():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
    finally:
        request._kept_page_placeholder = False
    return response


def csrf_placeholder(request):
    """Context processor: while a kept page renders, the CSRF token is a placeholder."""
    if getattr(request, "_kept_page_placeholder", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}
