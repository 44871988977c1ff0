"""Indicators per respondent and their summaries, against values worked by hand."""

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import IndicatorValue, Kind
from questionnaires.selectors import indicator_summary
from questionnaires.services import answer_save, response_open, response_submit

STUDENT = {
    "lessons_math": "5",
    "lessons_chinese": "7",
    "lessons_pe": "3",
    "homework_minutes": "50",
    "tutoring": "2",
    "sleep_feel": "2",
    "screen_minutes": "60",
    "glasses": "2",
    "outdoor_days": "3",
    "pe_content": "run",
    "feel_like_math": "3",
    "feel_understand_math": "3",
    "feel_like_pe": "4",
    "feel_pressure": "2",
    "feel_friends": "4",
}


def answer_student(code, *, sleep, pe):
    response = response_open(access_code=code, now=timezone.now())
    for item_code, value in {**STUDENT, "sleep_hours": str(sleep), "pe_minutes": str(pe)}.items():
        answer_save(access_code_id=code.pk, item_code=item_code, raw=[value], now=timezone.now())
    assert response_submit(response_id=response.pk, now=timezone.now()) == []
    return response


@pytest.fixture
def answered(qworld):
    a = [qworld.code(kind=Kind.STUDENT, ss=qworld.ss_a, serial=n) for n in (1, 2, 3)]
    b = [qworld.code(kind=Kind.STUDENT, ss=qworld.ss_b, serial=n) for n in (1, 2)]
    # School A (grade 4, norm ≥ 10 h): 10, 9, 10.5 h; school B (grade 8, norm ≥ 9 h): 8, 9.5 h.
    for code, sleep, pe in zip(a + b, (10, 9, 10.5, 8, 9.5), (60, 45, 90, 30, 70), strict=True):
        answer_student(code, sleep=sleep, pe=pe)
    return qworld


def test_each_respondent_gets_their_indicators(answered):
    values = dict(
        IndicatorValue.objects.filter(response__access_code=answered.code(kind=Kind.STUDENT, serial=2)).values_list("code", "value")
    )
    assert values["sleep_hours"] == 9 and values["sleep_meets_norm"] == 0 and values["pe_one_hour"] == 0
    assert values["homework_within_norm"] == 1 and values["tutoring"] == 0 and values["math_lessons_week"] == 5


def test_summaries_per_school_and_county_match_the_hand_worked_means(answered):
    by_school = indicator_summary(rnd=answered.rnd, indicator="sleep_hours", by="school")
    assert [(r.school_id, r.grade, r.n, round(r.mean, 4)) for r in by_school] == [
        (answered.world.school_a.pk, 4, 3, round(29.5 / 3, 4)),
        (answered.world.school_b.pk, 8, 2, 8.75),
    ]
    norm = indicator_summary(rnd=answered.rnd, indicator="sleep_meets_norm", by="county")
    assert [(r.grade, r.n, round(r.mean, 4)) for r in norm] == [
        (4, 3, round(2 / 3, 4)),
        (8, 2, 0.5),
    ]
    pe = indicator_summary(rnd=answered.rnd, indicator="pe_one_hour", by="county", grade=4)
    assert [(r.n, round(r.mean, 4)) for r in pe] == [(3, round(2 / 3, 4))]
    assert (pe[0].minimum, pe[0].maximum) == (0, 1)


def test_unsubmitted_responses_do_not_count(answered):
    code = answered.code(kind=Kind.STUDENT, ss=answered.ss_a, serial=1)
    code.response.submitted_at = None
    code.response.save()
    assert indicator_summary(rnd=answered.rnd, indicator="sleep_hours", by="county")[0].n == 2


def test_by_must_be_school_or_county(answered):
    with pytest.raises(ValueError):
        indicator_summary(rnd=answered.rnd, indicator="sleep_hours", by="class")


def test_leaders_read_the_indicator_page(client, answered):
    client.force_login(answered.world.leader)
    page = client.get(reverse("indicator_overview", args=[answered.rnd.pk]), {"indicator": "student:sleep_hours"})
    assert page.status_code == 200
    assert [r.n for r in page.context["county_rows"]] == [3, 2]
