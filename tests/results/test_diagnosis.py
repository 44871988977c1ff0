"""Diagnosis rules → findings with evidence; thresholds editable; dismiss; add by hand."""

import pytest

from results.models import DiagnosisRule, Finding, ReferenceValue
from results.reference import county_defaults_ensure
from results.services import diagnose, finding_add, finding_dismiss

from .data import load_pe, load_scores


@pytest.fixture
def loaded(results_world, django_capture_on_commit_callbacks):
    load_scores(results_world, django_capture_on_commit_callbacks)
    load_pe(results_world, django_capture_on_commit_callbacks)
    county_defaults_ensure(county=results_world.county)
    return results_world


def _threshold(world, code, value, *, level=1.0):
    """A lower threshold, set knowingly: the example's level Ⅰ share (18.8%, SE 14.0%) is not
    significantly above 10% at 5%, so these tests also take the test away (level 1)."""
    DiagnosisRule.objects.filter(county=world.county, code=code).update(
        threshold=value, level=level, level_reason="试用：只看点估计" if level > 0.05 else ""
    )


def test_with_the_default_thresholds_the_example_raises_nothing(loaded):
    assert diagnose(rnd=loaded.round, user=loaded.staff) == []


def test_a_lower_threshold_raises_a_finding_with_its_evidence(loaded):
    _threshold(loaded, "level1_share_high", 0.10)
    [finding] = diagnose(rnd=loaded.round, user=loaded.staff)
    assert (finding.rule, finding.domain, finding.grade) == ("level1_share_high", "math", 4)
    assert finding.evidence["value"] == pytest.approx(0.1875)
    assert finding.evidence["se"] > 0
    assert finding.evidence["schools"] == ["乙中学"]  # a quarter of its students in level Ⅰ
    assert "18.8%" in finding.evidence_text


def test_between_school_variation_states_icc_cv_and_the_province(loaded):
    ReferenceValue.objects.create(
        county=loaded.county,
        round=loaded.round,
        source="province",
        year=2027,
        domain="math",
        grade=4,
        indicator="icc",
        value=0.03,
    )
    _threshold(loaded, "between_school_variation", 0.04)
    [finding] = diagnose(rnd=loaded.round, user=loaded.staff)
    assert finding.evidence["value"] == pytest.approx(0.047619, rel=1e-4)
    assert finding.evidence["reference"] == 0.03
    assert "3.0%" in finding.evidence_text


def test_a_mean_significantly_below_the_province(loaded):
    ReferenceValue.objects.create(
        county=loaded.county,
        round=loaded.round,
        source="province",
        year=2027,
        domain="math",
        grade=4,
        indicator="mean",
        value=600,
    )
    [finding] = diagnose(rnd=loaded.round, user=loaded.staff)
    # (475 − 600)/55.90 = −2.236, p = 0.025
    assert finding.rule == "mean_below_reference" and finding.evidence["p_value"] == pytest.approx(0.02535, rel=1e-3)


def test_obesity_rising_and_poor_vision_above_the_province(loaded):
    ReferenceValue.objects.create(
        county=loaded.county,
        round=loaded.round,
        source="previous",
        year=2024,
        domain="pe_health",
        grade=4,
        indicator="obese",
        value=0.10,
        se=0.02,
    )
    ReferenceValue.objects.create(
        county=loaded.county,
        round=loaded.round,
        source="province",
        year=2027,
        domain="pe_health",
        grade=4,
        indicator="poor_vision",
        value=0.20,
    )
    found = {f.rule: f for f in diagnose(rnd=loaded.round, user=loaded.staff)}
    assert set(found) == {"obese_rising", "poor_vision_above_province"}
    assert found["obese_rising"].evidence["value"] == pytest.approx(0.25)
    assert found["obese_rising"].evidence["reference_year"] == 2024


def test_a_disabled_rule_stays_silent(loaded):
    _threshold(loaded, "level1_share_high", 0.10)
    DiagnosisRule.objects.filter(county=loaded.county, code="level1_share_high").update(enabled=False)
    assert diagnose(rnd=loaded.round, user=loaded.staff) == []


def test_a_dismissed_finding_stays_dismissed_when_the_diagnosis_runs_again(loaded):
    _threshold(loaded, "level1_share_high", 0.10)
    [finding] = diagnose(rnd=loaded.round, user=loaded.staff)
    finding_dismiss(finding=finding, reason="已在上一轮整改", user=loaded.staff)
    diagnose(rnd=loaded.round, user=loaded.staff)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.DISMISSED and finding.dismissed_reason == "已在上一轮整改"
    assert Finding.objects.count() == 1
    assert finding.history.count() >= 2


def test_an_open_finding_that_no_longer_holds_is_removed_but_a_hand_finding_stays(loaded):
    _threshold(loaded, "level1_share_high", 0.10)
    diagnose(rnd=loaded.round, user=loaded.staff)
    finding_add(
        rnd=loaded.round,
        title="数学教师培训形式单一",
        domain="math",
        grade=None,
        evidence_text="教师问卷",
        user=loaded.staff,
    )
    _threshold(loaded, "level1_share_high", 0.5)
    diagnose(rnd=loaded.round, user=loaded.staff)
    assert list(Finding.objects.values_list("title", flat=True)) == ["数学教师培训形式单一"]


def test_questionnaire_rules_wait_for_indicators(loaded, monkeypatch):
    from results.diagnosis import health
    from results.factors import FactorValue

    def fake(*, rnd, indicator, grade=None):
        if indicator == "sleep_hours":
            return FactorValue(indicator, grade, 9.2, float("nan"), 40, {"甲小学": 9.0, "乙中学": 10.2})
        return None

    monkeypatch.setattr(health, "factor_summary", fake)
    [finding] = diagnose(rnd=loaded.round, user=loaded.staff)
    assert finding.rule == "sleep_below_norm" and finding.evidence["reference"] == 10.0
    assert finding.evidence["schools"] == ["甲小学"]
