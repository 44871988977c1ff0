"""A finding needs its evidence to hold statistically: the difference beyond the rule's margin
over its standard error, against the critical value of a stated level; a laxer level is set
knowingly, with a reason the evidence repeats. Figures worked by hand in the comments."""

import pytest
from django.core.exceptions import ValidationError

from results.diagnosis import Context
from results.diagnosis import health as health_rules
from results.diagnosis.base import beyond
from results.estimation import Estimate
from results.models import DiagnosisRule, ReferenceValue
from results.reference import county_defaults_ensure
from results.services import diagnose

from .data import load_scores


def _ctx(world, level=0.05):
    return Context(rnd=world.round, results=[], pe=None, norms={}, lesson_norms={}, level=level)


def test_the_test_is_the_difference_over_its_se_against_the_critical_value(world):
    # (0.526 − 0.45) / √(0.264² + 0.01²) = 0.076 / 0.26419 = 0.2877 < 1.96
    test = beyond(_ctx(world), estimate=0.526, se=0.264, margin=0.45, margin_se=0.01, above=True)
    assert test.z == pytest.approx(0.2877, abs=1e-4) and test.critical == pytest.approx(1.95996, abs=1e-4)
    assert not test.holds
    # at level 0.10 the critical value is 1.645; (475 − 580) / 55.90 = −1.878 holds below, not at 0.05
    assert beyond(_ctx(world, 0.10), estimate=475, se=55.90, margin=580, above=False).holds
    assert not beyond(_ctx(world), estimate=475, se=55.90, margin=580, above=False).holds
    assert beyond(_ctx(world), estimate=0.3, se=float("nan"), margin=0.2, above=True) is None


@pytest.fixture
def poor_vision(results_world, monkeypatch):
    county_defaults_ensure(county=results_world.county)
    ReferenceValue.objects.create(
        county=results_world.county, round=results_world.round, source="province", year=2027, domain="pe_health",
        grade=4, indicator="poor_vision", value=0.45, se=0.01, note="省监测报告",
    )  # fmt: skip
    values = {4: {"poor_vision": Estimate(0.526, 0.264, 20)}}
    monkeypatch.setattr(health_rules, "pe_indicator_values", lambda pe, grade: values.get(grade, {}))
    return results_world


def test_poor_vision_at_52_6_percent_with_se_26_4_does_not_fire(poor_vision):
    assert diagnose(rnd=poor_vision.round, user=poor_vision.staff) == []


def test_a_county_lowers_the_level_knowingly_and_the_evidence_says_so(poor_vision):
    DiagnosisRule.objects.filter(county=poor_vision.county, code="poor_vision_above_province").update(level=0.8, level_reason="预警试行")
    [finding] = diagnose(rnd=poor_vision.round, user=poor_vision.staff)
    # critical value at 0.8: z > 0.2533; z = 0.2877
    assert finding.evidence["test"]["z"] == pytest.approx(0.2877, abs=1e-4)
    assert finding.evidence["level"] == 0.8 and finding.evidence["level_reason"] == "预警试行"
    assert "z = 0.29" in finding.evidence_text and "预警试行" in finding.evidence_text
    assert finding.evidence["reference_origin"] == "省监测报告"


def test_a_laxer_level_needs_a_reason(world):
    rule = DiagnosisRule(county=world.county, code="level1_share_high", threshold=0.2, level=0.10)
    with pytest.raises(ValidationError):
        rule.full_clean()
    rule.level_reason = "试行"
    rule.full_clean()


def test_a_mean_below_the_province_states_its_test(results_world, django_capture_on_commit_callbacks):
    load_scores(results_world, django_capture_on_commit_callbacks)
    ReferenceValue.objects.create(
        county=results_world.county, round=results_world.round, source="province", year=2027, domain="math", grade=4,
        indicator="mean", value=600, note="省监测报告",
    )  # fmt: skip
    [finding] = diagnose(rnd=results_world.round, user=results_world.staff)
    # (475 − 600) / 55.90 = −2.236 beyond −1.96
    assert finding.evidence["test"]["z"] == pytest.approx(-2.236, abs=1e-3) and finding.evidence["test"]["holds"]
    assert "±1.96" in finding.evidence_text
    DiagnosisRule.objects.filter(county=results_world.county, code="mean_below_reference").update(threshold=20)
    assert diagnose(rnd=results_world.round, user=results_world.staff) == []  # (475 − 580) / 55.90 = −1.878
