"""No answer is lost or duplicated: saves are upserts under a lock on the response."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from questionnaires.models import Answer, Item, Response
from questionnaires.services import answer_save, response_open, response_submit


def test_saving_the_same_item_again_keeps_one_row_with_the_last_value(qworld):
    code = qworld.code()
    response = response_open(access_code=code, now=timezone.now())
    item = Item.objects.get(instrument=response.instrument, code="years_teaching")
    for value in ("1", "2", "3"):
        answer_save(access_code_id=code.pk, item_code=item.code, raw=[value], now=timezone.now())
    assert list(Answer.objects.values_list("value", flat=True)) == [3]


def test_opening_a_code_twice_gives_one_response(qworld):
    code = qworld.code()
    first = response_open(access_code=code, now=timezone.now())
    code.refresh_from_db()
    assert response_open(access_code=code, now=timezone.now()).pk == first.pk
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_and_submits_lose_and_duplicate_nothing(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite in memory is one connection)")
    from .conftest import Setup

    setup = Setup(world)
    code = setup.code()
    response = response_open(access_code=code, now=timezone.now())
    plan = [
        (code_, values)
        for code_, values in {
            "subject": ["math"],
            "years_teaching": ["12"],
            "lessons_week": ["14"],
            "title_rank": ["3"],
            "training_hours": ["72"],
            "training_forms": ["online"],
            "training_time": ["3"],
            "training_theory": ["3"],
            "training_useful": ["2"],
            "training_rest": ["4"],
            "work_curriculum": ["3"],
            "work_homework": ["3"],
            "work_satisfied": ["3"],
        }.items()
    ]
    errors = []
    barrier = threading.Barrier(8)

    def worker(offset):
        try:
            barrier.wait()
            for i in range(len(plan)):
                item_code, values = plan[(i + offset) % len(plan)]
                answer_save(access_code_id=code.pk, item_code=item_code, raw=values, now=timezone.now())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Answer.objects.filter(response=response).count() == len(plan)

    results = []

    def submit():
        try:
            results.append(response_submit(response_id=response.pk, now=timezone.now()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [[], [], [], []]
    assert Response.objects.get().is_submitted
    assert Answer.objects.filter(response=response).count() == len(plan)
