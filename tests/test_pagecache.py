"""Kept pages (monitoring_site/pagecache.py): a page is rendered again as soon as any table it
read changes — whichever way the change is written, in whichever thread or process — and a
kept page never carries one visitor's token, message or data to another.

These tests commit for real (``transaction=True``): inside the suite's usual per-test
transaction nothing is kept at all (its writes could still be rolled back)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring_site import pagecache
from rounds.models import AuditEvent, Round

from .logistics.factories import sampled_school, sampled_student

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_pages(settings):
    settings.PAGE_CACHE = True
    pagecache._pages.clear()
    yield
    pagecache._pages.clear()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _visit(client, url):
    """The page and how many queries it cost (a kept page: only the session and the user)."""
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    return answer.content.decode(), len(queries)


def _shown_name(user) -> str:
    return user.get_full_name() or user.username


def _title(year: int) -> str:
    return f"<h1 class=\"page-title\">青山县{year}"


def _round_url(world):
    return reverse("round_detail", args=[world.round.pk])


def test_the_second_visit_is_served_kept_and_the_same(world):
    client = _signed_in(world.staff)
    first, cost_first = _visit(client, _round_url(world))
    second, cost_second = _visit(client, _round_url(world))
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert token.sub("", first) == token.sub("", second)
    assert cost_second < cost_first
    assert cost_second <= 3  # session, user with person and county; nothing of the page


@pytest.mark.parametrize("how", ["save", "update", "raw sql", "bulk_update"])
def test_any_write_to_a_table_the_page_read_shows_at_once(world, how):
    client = _signed_in(world.staff)
    assert _title(2027) in _visit(client, _round_url(world))[0]
    rnd = Round.objects.get(pk=world.round.pk)
    if how == "save":
        rnd.year = 2031
        rnd.save()
    elif how == "update":
        Round.objects.filter(pk=rnd.pk).update(year=2031)
    elif how == "raw sql":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Round._meta.db_table} SET year = %s WHERE id = %s", [2031, rnd.pk])  # noqa: S608
    else:
        rnd.year = 2031
        Round.objects.bulk_update([rnd], ["year"])
    page, _cost = _visit(client, _round_url(world))
    assert _title(2031) in page and _title(2027) not in page


def test_a_write_in_another_thread_shows_at_once(world):
    client = _signed_in(world.staff)
    _visit(client, _round_url(world))

    def elsewhere():
        Round.objects.filter(pk=world.round.pk).update(year=2032)
        connection.close()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert _title(2032) in _visit(client, _round_url(world))[0]


def test_a_change_is_seen_only_once_committed_and_a_rolled_back_one_never(world):
    client = _signed_in(world.staff)
    _visit(client, _round_url(world))
    with transaction.atomic():
        Round.objects.filter(pk=world.round.pk).update(year=2033)
        # Inside the transaction that wrote, the page is rendered from what it sees, not kept.
        assert _title(2033) in _visit(client, _round_url(world))[0]
        transaction.set_rollback(True)
    page, _cost = _visit(client, _round_url(world))
    assert _title(2033) not in page and _title(2027) in page
    assert _title(2027) in _visit(client, _round_url(world))[0]


def test_a_write_after_a_rolled_back_savepoint_is_still_seen(world):
    client = _signed_in(world.staff)
    _visit(client, _round_url(world))
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            Round.objects.filter(pk=world.round.pk).update(year=2036)
            1 / 0  # noqa: B018 - the savepoint (and what was registered in it) is rolled back
        Round.objects.filter(pk=world.round.pk).update(year=2037)
    assert _title(2037) in _visit(client, _round_url(world))[0]


def test_each_user_gets_their_own_page_and_access_is_decided_on_every_visit(world):
    url = reverse("school_logistics", kwargs={"round_pk": world.round.pk, "school_pk": world.school_a.pk})
    sampled_school(world.round, world.school_a)
    coordinator = _signed_in(world.coord_a)
    mine, _cost = _visit(coordinator, url)
    assert _shown_name(world.coord_a) in mine
    # Another coordinator asking the same address is refused, kept page or not.
    assert _signed_in(world.coord_b).get(url).status_code in (403, 404)
    # Staff at the same address get a page of their own (their name, not the coordinator's).
    staff_page, _cost = _visit(_signed_in(world.staff), url)
    assert _shown_name(world.staff) in staff_page and _shown_name(world.coord_a) not in staff_page
    # The coordinator moved to school B: the kept page of school A is no longer served.
    world.coord_a.person.schools.set([world.school_b])
    assert coordinator.get(url).status_code in (403, 404)


def test_every_visitor_gets_a_working_token_of_their_own(world):
    sampled_school(world.round, world.school_a)
    url = reverse("checklist_fill", kwargs={"round_pk": world.round.pk, "school_pk": world.school_a.pk})
    pages = []
    for user in (world.coord_a, world.coord_a, world.inspector):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        page, _cost = _visit(client, url)
        assert pagecache.CSRF_PLACEHOLDER not in page
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]
        # The token posts: log out with it (a POST that CSRF protects).
        answer = client.post(reverse("logout"), HTTP_X_CSRFTOKEN=token)
        assert answer.status_code == 302, answer.status_code
        pages.append(page)
    assert pages[0] != pages[1]  # the same page kept, each visit with its own token


def test_a_message_is_shown_once_and_never_kept(world):
    import json

    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import MessageEncoder
    from django.contrib.messages.storage.session import SessionStorage

    client = _signed_in(world.staff)
    _visit(client, _round_url(world))
    session = client.session
    session[SessionStorage.session_key] = json.dumps([Message(20, "保存好了 kept-test")], cls=MessageEncoder)
    session.save()
    assert "kept-test" in _visit(client, _round_url(world))[0]
    assert "kept-test" not in _visit(client, _round_url(world))[0]


def test_a_view_of_names_is_recorded_on_every_visit_kept_or_not(world):
    sampled = sampled_school(world.round, world.school_a)
    sampled_student(sampled, name="王小明")
    client = _signed_in(world.staff)
    url = reverse("sampled_school_detail", args=[sampled.pk])
    for visit in range(1, 4):
        assert "王小明" in _visit(client, url)[0]
        assert AuditEvent.objects.filter(object_type="sampled_school", object_id=str(sampled.pk)).count() == visit


def test_a_page_whose_view_wrote_is_not_kept(world, rf):
    from django.http import HttpResponse

    calls = []

    @pagecache.kept_page
    def writes(request):
        calls.append(1)
        Round.objects.filter(pk=world.round.pk).update(version=len(calls) + 1)
        return HttpResponse("<p>x</p>")

    request = rf.get("/x")
    request.user, request.session = world.staff, {}
    writes(request)
    writes(request)
    assert len(calls) == 2


def _page_with_a_commit_during_its_first_rendering(world, rf, commit):
    """A kept page reading the round's year, while another thread runs ``commit`` during its
    first rendering; the request to open it; how many times it was rendered."""
    from django.http import HttpResponse

    calls = []

    def elsewhere():
        commit()
        connection.close()

    @pagecache.kept_page
    def page(request):
        calls.append(1)
        year = Round.objects.get(pk=world.round.pk).year
        if len(calls) == 1:  # another request commits while this one renders
            other = threading.Thread(target=elsewhere)
            other.start()
            other.join()
        return HttpResponse(f"<p>{year}</p>")

    request = rf.get("/x")
    request.user, request.session = world.staff, {}
    return page, request, calls


def test_a_commit_during_the_rendering_keeps_nothing(world, rf):
    real = connection.vendor == "postgresql"  # SQLite's test database locks a table a transaction read

    def change_the_round():
        if real:
            Round.objects.filter(pk=world.round.pk).update(year=2040)
        else:
            pagecache._bump_now(pagecache._namespace(), {Round._meta.db_table})

    racing, request, calls = _page_with_a_commit_during_its_first_rendering(world, rf, change_the_round)
    assert b"2027" in racing(request).content  # rendered from before the change: not kept
    now = b"2040" if real else b"2027"
    assert now in racing(request).content
    assert now in racing(request).content
    assert len(calls) == 2  # kept from the second rendering on


def test_a_commit_to_a_table_the_page_did_not_read_still_keeps_it(world, rf):
    """On test day answers are saved every moment: a page that does not show them is kept all the same."""

    def save_an_answer():
        with connection.cursor() as cursor:  # a write to the answers, committed by another connection
            cursor.execute("UPDATE questionnaires_answer SET value = value WHERE id < 0")

    busy, request, calls = _page_with_a_commit_during_its_first_rendering(world, rf, save_an_answer)
    before = pagecache.store().read(pagecache._namespace(), ["questionnaires_answer"])
    assert b"2027" in busy(request).content
    assert pagecache.store().read(pagecache._namespace(), ["questionnaires_answer"]) != before  # the save was counted
    assert b"2027" in busy(request).content
    assert len(calls) == 1  # kept from the first rendering


def test_a_kept_page_expires(world, monkeypatch, settings):
    client = _signed_in(world.staff)
    _visit(client, _round_url(world))
    assert _visit(client, _round_url(world))[1] <= 3
    later = pagecache.time.monotonic() + settings.PAGE_CACHE_SECONDS + 1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: later)
    assert _visit(client, _round_url(world))[1] > 3


def test_an_unreachable_store_renders_afresh_and_fails_nothing(world, monkeypatch):
    client = _signed_in(world.staff)
    _visit(client, _round_url(world))
    monkeypatch.setattr(pagecache, "_store", pagecache.RedisGenerations("redis://127.0.0.1:1/0"))
    Round.objects.filter(pk=world.round.pk).update(year=2034)  # its change cannot be recorded
    assert _title(2034) in _visit(client, _round_url(world))[0]
    assert _title(2034) in _visit(client, _round_url(world))[0]


def test_the_tables_of_a_statement():
    assert pagecache.tables_in('SELECT "rounds_round"."id" FROM "rounds_round" INNER JOIN "rounds_county" ON 1=1') == {
        "rounds_round", "rounds_county"}
    assert pagecache.tables_in("UPDATE rounds_round SET year = 1 WHERE id IN (SELECT round_id FROM sampling_sampledschool)") == {
        "rounds_round", "sampling_sampledschool"}
    assert pagecache._is_write("  insert into x values (1)") and pagecache._is_write("WITH a AS (SELECT 1) DELETE FROM x")
    assert not pagecache._is_write("SELECT 1 FOR UPDATE") and not pagecache._is_write('SAVEPOINT "s1"')



@pytest.mark.parametrize(("sql", "changed"), [
    ('UPDATE "rounds_round" SET "year" = 1 WHERE "id" IN (SELECT U0."round_id" FROM "sampling_sampledschool" U0)', {"rounds_round"}),
    ('INSERT INTO "rounds_county" ("name") SELECT "name" FROM "rounds_school" ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name"',
     {"rounds_county"}),
    ('DELETE FROM "sampling_sampledschool" WHERE "round_id" IN (SELECT "id" FROM "rounds_round" WHERE "stage" = %s)',
     {"sampling_sampledschool"}),
    ('WITH a AS (UPDATE rounds_round SET year = 1 WHERE EXISTS (SELECT 1 FROM rounds_county) RETURNING id) '
     'DELETE FROM rounds_school WHERE id IN (SELECT id FROM a)', {"rounds_round", "rounds_school"}),
    ('TRUNCATE "rounds_round", "rounds_county"', {"rounds_round", "rounds_county"}),
    ('ALTER TABLE "rounds_round" ADD COLUMN "x" integer', {"rounds_round"}),
])
def test_a_write_changes_only_the_tables_it_writes_to(sql, changed):
    """A table a write only reads (its EXISTS check, its subquery) keeps the pages built from it."""
    assert pagecache.tables_changed(sql) == changed


def test_a_questionnaire_autosave_leaves_the_other_pages_kept(world):
    """Its statement checks the round is open; saving answers all test day must not drop every
    page of the round (nor is anything but the answers and the response changed)."""
    from questionnaires.services import _one_statement_sql, answer_save, response_open

    from .questionnaires.conftest import Setup

    assert pagecache.tables_changed(_one_statement_sql("keep")) == {"questionnaires_response", "questionnaires_answer"}
    assert pagecache.tables_changed(_one_statement_sql("clear")) == {"questionnaires_response", "questionnaires_answer"}
    setup = Setup(world)
    code = setup.code()
    response = response_open(access_code=code, now=pagecache.timezone.now())
    item = response.instrument.items.filter(type="single").first()
    client = _signed_in(world.staff)
    _visit(client, _round_url(world))
    assert _visit(client, _round_url(world))[1] <= 3
    answer_save(access_code_id=code.pk, item_code=item.code, raw=[str(item.choices[0][0])], now=pagecache.timezone.now())
    assert response.answers.count() == 1
    assert _visit(client, _round_url(world))[1] <= 3  # still kept

def test_a_write_by_another_process_shows_at_once(world, require_services, settings):
    """The web processes and the workers share the change counters through Redis."""
    require_services("REDIS_URL", "DATABASE_URL")
    if connection.vendor != "postgresql":
        pytest.skip("another process reaches the test database on PostgreSQL only")
    client = _signed_in(world.staff)
    _visit(client, _round_url(world))
    env = {**os.environ, "DATABASE_URL": re.sub(r"/[^/]*$", "/" + connection.settings_dict["NAME"], os.environ["DATABASE_URL"]),
           "PAGE_CACHE_REDIS_URL": settings.PAGE_CACHE_REDIS_URL}  # as every process of one site is configured
    code = f"from rounds.models import Round; Round.objects.filter(pk={world.round.pk}).update(year=2035)"
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    assert _title(2035) in _visit(client, _round_url(world))[0]


def test_a_counter_lost_with_a_redis_restart_never_comes_back_to_a_kept_value(require_services, settings):
    """Redis restarted without its data: the counters start again, from its clock, above any kept."""
    require_services("REDIS_URL")
    import redis

    store = pagecache.RedisGenerations(settings.PAGE_CACHE_REDIS_URL)
    namespace = f"restart-test-{os.getpid()}"
    client = redis.Redis.from_url(settings.PAGE_CACHE_REDIS_URL)
    try:
        store.bump(namespace, {"rounds_round"})
        kept = store.read(namespace, ["rounds_round"])[0]
        store.bump(namespace, {"rounds_round"})
        assert store.read(namespace, ["rounds_round"])[0] == kept + 1  # counted one by one
        client.delete(f"pagegen:{namespace}:rounds_round")  # what a restart without data does
        store.bump(namespace, {"rounds_round"})
        assert store.read(namespace, ["rounds_round"])[0] > kept + 1
    finally:
        client.delete(f"pagegen:{namespace}:rounds_round")
