"""Cycle years follow the national rotation from the county's first round; the default
timetable tests only what each grade takes, performance tests as their own kind."""

import datetime as dt

from django.urls import reverse

from rounds.models import SessionKind
from rounds.services import cycle_year_of, default_timetable, round_create
from tests.factories import late_may


def test_the_cycle_year_counts_on_from_the_countys_first_round(world):
    # world.round: 2027, cycle year 1
    assert [cycle_year_of(county=world.county, year=y) for y in (2027, 2028, 2029, 2030)] == [1, 2, 3, 1]
    start, end = late_may(2025)
    round_create(county=world.county, year=2025, cycle_year=2, test_start=start, test_end=end, user=world.staff)
    assert [cycle_year_of(county=world.county, year=y) for y in (2025, 2026, 2027)] == [2, 3, 1]


def test_a_county_without_rounds_counts_from_the_plans_first_year(db):
    from tests.factories import CountyFactory

    assert cycle_year_of(county=CountyFactory(), year=2021) == 1
    assert cycle_year_of(county=CountyFactory(), year=2026) == 3


def test_the_round_form_proposes_the_next_cycle_year(client, world, monkeypatch):
    from rounds import forms

    monkeypatch.setattr(forms, "today", lambda: dt.date(2027, 9, 1))
    monkeypatch.setattr("rounds.views.rounds.today", lambda: dt.date(2027, 9, 1))
    client.force_login(world.staff)
    form = client.get(reverse("round_create")).context["form"]
    assert form.initial["year"] == 2028 and form.initial["cycle_year"] == 2
    assert form.initial["domains"] == ["chinese", "arts", "english"]


def _by_grade(sessions):
    out = {}
    for s in sessions:
        out.setdefault(s["grade"], []).append((s["kind"], s["domain"]))
    return out


def test_english_is_tested_in_grade_8_only_and_arts_has_its_performance_test():
    sessions = _by_grade(default_timetable(domains=["chinese", "arts", "english"], grades=[4, 8], test_start=dt.date(2028, 5, 24)))
    assert ("test", "english") not in sessions[4] and ("test", "english") in sessions[8]
    for grade in (4, 8):
        assert ("test", "arts") in sessions[grade] and (SessionKind.PERFORMANCE, "arts") in sessions[grade]


def test_pe_is_a_pe_performance_test_and_science_adds_its_performance_test():
    year1 = _by_grade(default_timetable(domains=["math", "pe_health", "mental_health"], grades=[4], test_start=dt.date(2027, 5, 26)))
    assert year1[4] == [("test", "math"), ("pe", "pe_health"), ("test", "mental_health"), ("questionnaire", "")]
    year3 = _by_grade(default_timetable(domains=["moral", "science", "labour"], grades=[4], test_start=dt.date(2029, 5, 22)))
    assert (SessionKind.PERFORMANCE, "science") in year3[4] and ("test", "science") in year3[4]


def test_the_default_timetable_tests_only_the_rounds_domains():
    sessions = default_timetable(domains=["math"], grades=[4, 8], test_start=dt.date(2027, 5, 26))
    assert {s["domain"] for s in sessions} == {"math", ""}
