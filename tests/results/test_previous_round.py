"""The previous round is the system's own: a county's earlier round in the system gives the
comparisons and trend rules its estimates with their SEs; typed references serve their round
only and say where they come from."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from results.diagnosis import Context
from results.models import ReferenceValue
from results.previous import round_references
from results.selectors import domain_result
from results.services import diagnose, result_import_start
from rounds.models import Stage
from rounds.services import round_create
from sampling.models import SampledStudent
from tests.factories import late_may

from .data import SCORES, load_scores
from .factories import SCORE_HEADER, make_sample, xlsx_bytes


@pytest.fixture
def two_rounds(results_world, django_capture_on_commit_callbacks):
    """2024 (the same domains, three years before) with the hand-worked example's scores
    lowered by 25 points — mean 450.0, SE 55.9 — and 2027 with the example: 475.0 (55.9)."""
    world = results_world
    start, end = late_may(2024)
    earlier = round_create(county=world.county, year=2024, cycle_year=1, test_start=start, test_end=end, user=world.staff)
    earlier.stage = Stage.RESULTS
    earlier.save()
    for s in world.students:  # make_sample numbers every round's pupils alike
        s.monitoring_id = "C" + s.monitoring_id
    SampledStudent.objects.bulk_update(world.students, ["monitoring_id"])
    students = make_sample(earlier, schools=[world.school_a, world.school_b], weights=[10.0, 30.0])
    rows = [(s.monitoring_id, "数学", "", score - 25) for s, score in zip(students, SCORES, strict=True)]
    with django_capture_on_commit_callbacks(execute=True):
        result_import_start(
            rnd=earlier, kind="scores", domain="math", upload=SimpleUploadedFile("2024.xlsx", xlsx_bytes(rows, header=SCORE_HEADER)),
            user=world.staff, language="en",
        )  # fmt: skip
    load_scores(world, django_capture_on_commit_callbacks)
    world.earlier = earlier
    return world


def _previous_mean(refs):
    return next(r for r in refs if (r.source, r.domain, r.grade, r.indicator) == ("previous", "math", 4, "mean"))


def test_the_earlier_round_in_the_system_is_the_previous_round_with_its_se(two_rounds):
    ref = _previous_mean(round_references(two_rounds.round))
    assert ref.from_system and ref.year == 2024
    assert ref.value == pytest.approx(450.0) and ref.se == pytest.approx(55.90, abs=0.01)
    assert "2024" in ref.note


def test_the_comparison_uses_both_ses_and_says_where_the_previous_value_comes_from(two_rounds):
    result = domain_result(rnd=two_rounds.round, domain="math", grade=4)
    [compared] = [c for c in result.comparisons if c.indicator == "mean"]
    # difference 475 − 450 = 25, SE √(55.90² + 55.90²) = 79.06, z = 0.316, p = 0.752
    assert compared.comparison.difference == pytest.approx(25.0)
    assert compared.comparison.se == pytest.approx(79.06, abs=0.01)
    assert compared.comparison.p_value == pytest.approx(0.752, abs=0.001)
    assert not compared.comparison.significant
    assert "系统" in compared.origin or "system" in compared.origin


def test_a_typed_previous_value_gives_way_to_the_system_and_a_typed_value_serves_its_round_only(two_rounds):
    world = two_rounds
    ReferenceValue.objects.create(
        county=world.county, round=world.round, source="previous", year=2023, domain="math", grade=4, indicator="mean",
        value=505, note="手工",
    )  # fmt: skip
    ReferenceValue.objects.create(
        county=world.county, round=world.earlier, source="province", year=2024, domain="math", grade=4, indicator="mean",
        value=600, se=1, note="省2024",
    )  # fmt: skip
    refs = round_references(world.round)
    assert [r.value for r in refs if r.indicator == "mean"] == [pytest.approx(450.0)]  # the system's, not 505 nor 600
    assert diagnose(rnd=world.round, user=world.staff) == []  # the 2024 province value is not 2027's


def test_the_trend_rule_reads_the_system_previous_round(two_rounds):
    ctx = Context(rnd=two_rounds.round, results=[], pe=None, norms={}, lesson_norms={})
    ref = ctx.reference(source="previous", domain="math", grade=4, indicator="mean")
    assert ref.from_system and ref.year == 2024


def test_the_pages_show_the_system_previous_round(client, two_rounds):
    client.force_login(two_rounds.staff)
    rnd = two_rounds.round
    html = client.get(reverse("results_references", kwargs={"pk": rnd.pk})).content.decode()
    assert "450.000" in html and "2024" in html
    html = client.get(reverse("results_domain", kwargs={"pk": rnd.pk, "domain": "math", "grade": 4})).content.decode()
    assert "450.0" in html and "2024" in html


def test_a_typed_reference_must_say_where_it_comes_from(client, results_world):
    client.force_login(results_world.staff)
    url = reverse("results_references", kwargs={"pk": results_world.round.pk})
    data = {"source": "province", "year": 2027, "domain": "math", "grade": 4, "indicator": "mean", "value": 510, "se": 3}
    assert client.post(url, data).status_code == 200
    assert not ReferenceValue.objects.exists()
    assert client.post(url, {**data, "note": "省监测报告2027"}).status_code == 302
    assert ReferenceValue.objects.get().round == results_world.round
    again = client.post(url, {**data, "value": 520, "note": "省监测报告2027"})  # the same reference twice
    assert "该参照值已录入" in again.content.decode() and ReferenceValue.objects.get().value == 510


def test_a_round_of_other_domains_has_no_previous_round_from_the_system(two_rounds):
    from results.previous import system_previous

    start, end = late_may(2028)
    later = round_create(county=two_rounds.county, year=2028, cycle_year=2, test_start=start, test_end=end, user=two_rounds.staff)
    assert system_previous(later) == [] and round_references(later) == []
