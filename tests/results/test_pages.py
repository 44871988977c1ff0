"""The pages with data: what county staff and leaders read, and the forms staff use."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from results.models import CutScores, DiagnosisRule, Finding, ResultImport
from rounds.models import AuditEvent

from .data import load_pe, load_scores
from .factories import SCORE_HEADER, xlsx_bytes


@pytest.fixture
def loaded(results_world, django_capture_on_commit_callbacks, client):
    load_scores(results_world, django_capture_on_commit_callbacks)
    load_pe(results_world, django_capture_on_commit_callbacks)
    client.force_login(results_world.staff)
    return results_world


def _page(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html), "inline script"
    assert " style=" not in html, "inline style"
    return html


def test_the_overview_shows_every_domain_with_mean_and_se(client, loaded):
    html = _page(client, "results_overview", pk=loaded.round.pk)
    assert "475.0 (55.9)" in html
    assert "<svg" in html


def test_the_domain_page_shows_levels_gaps_variation_and_the_school_table(client, loaded):
    html = _page(client, "results_domain", pk=loaded.round.pk, domain="math", grade=4)
    for text in ("475.0 (55.9)", "18.8% (", "-100.0 (0.0)", "4.8%", "0.091", "甲小学", "乙中学"):
        assert text in html, text
    assert html.index("甲小学") < html.index("乙中学")  # by school code


def test_the_students_page_shows_monitoring_ids_and_is_logged(client, loaded):
    html = _page(client, "results_students", pk=loaded.round.pk, domain="math", grade=4)
    assert loaded.students[0].monitoring_id in html
    assert AuditEvent.objects.filter(object_type="results.StudentScore").exists()


def test_the_pe_page_shows_bmi_and_vision(client, loaded):
    html = _page(client, "results_pe", pk=loaded.round.pk)
    assert "25.0%" in html  # obesity and poor vision


def test_the_factors_page_says_there_are_no_indicators_yet(client, loaded, monkeypatch):
    from results import factors

    monkeypatch.setattr(factors, "_selector", lambda: None)
    html = _page(client, "results_factors", pk=loaded.round.pk)
    assert "475.0 (55.9)" in html


def test_upload_through_the_page_and_confirm_a_reimport(client, loaded, django_capture_on_commit_callbacks):
    rows = [(s.monitoring_id, "数学", "", 500) for s in loaded.students]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("results_import", kwargs={"pk": loaded.round.pk}),
            {
                "kind": "scores",
                "domain": "math",
                "file": SimpleUploadedFile("again.xlsx", xlsx_bytes(rows, header=SCORE_HEADER)),
            },
        )
    ri = ResultImport.objects.get(batch__original_name="again.xlsx")
    assert response["Location"] == reverse("results_import_detail", kwargs={"pk": ri.pk})
    assert ri.state == "awaiting"
    assert reverse("results_import_confirm", kwargs={"pk": ri.pk}) in _page(client, "results_import_detail", pk=ri.pk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("results_import_confirm", kwargs={"pk": ri.pk}))
    ri.refresh_from_db()
    assert ri.state == "active"


def test_the_template_lists_the_sampled_students(client, loaded):
    import io

    from openpyxl import load_workbook

    response = client.get(reverse("results_template", kwargs={"pk": loaded.round.pk, "kind": "math"}))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == SCORE_HEADER
    assert sheet.max_row == 9


def test_cut_scores_are_saved_and_refused_when_not_increasing(client, loaded):
    _page(client, "results_cut_scores", pk=loaded.round.pk)
    cuts = list(CutScores.objects.filter(round=loaded.round).order_by("grade", "domain"))
    data = {"form-TOTAL_FORMS": len(cuts), "form-INITIAL_FORMS": len(cuts)}
    for i, cut in enumerate(cuts):
        data.update(
            {
                f"form-{i}-id": cut.pk,
                f"form-{i}-min_score": 0,
                f"form-{i}-low_mark": 300,
                f"form-{i}-level2": 420,
                f"form-{i}-level3": 500,
                f"form-{i}-level4": 600,
                f"form-{i}-max_score": 1000,
            }
        )
    assert client.post(reverse("results_cut_scores", kwargs={"pk": loaded.round.pk}), data).status_code == 302
    assert set(CutScores.objects.values_list("level2", flat=True)) == {420}
    data["form-0-level3"] = 700
    assert client.post(reverse("results_cut_scores", kwargs={"pk": loaded.round.pk}), data).status_code == 200
    assert CutScores.objects.filter(level3=700).count() == 0


def test_thresholds_are_edited_and_findings_dismissed_with_a_reason(client, loaded):
    _page(client, "results_settings", pk=loaded.round.pk)
    rule = DiagnosisRule.objects.get(county=loaded.county, code="level1_share_high")
    rule.threshold = 0.1
    rule.level, rule.level_reason = 1.0, "试用：只看点估计"  # 18.8% (SE 14.0%) is not significant
    rule.save()
    client.post(reverse("results_diagnose", kwargs={"pk": loaded.round.pk}))
    finding = Finding.objects.get()
    html = _page(client, "results_findings", pk=loaded.round.pk)
    assert finding.title in html and "乙中学" in html
    client.post(reverse("results_finding_dismiss", kwargs={"pk": finding.pk}), {"reason": ""})
    finding.refresh_from_db()
    assert finding.status == "open"
    client.post(reverse("results_finding_dismiss", kwargs={"pk": finding.pk}), {"reason": "已知，另有安排"})
    finding.refresh_from_db()
    assert finding.status == "dismissed" and finding.dismissed_reason == "已知，另有安排"


def test_staff_add_their_own_finding(client, loaded):
    response = client.post(
        reverse("results_finding_add", kwargs={"pk": loaded.round.pk}),
        {
            "title": "体育教师教学行为需规范",
            "domain": "pe_health",
            "grade": "",
            "evidence_text": "督导听课",
        },
    )
    assert response.status_code == 302
    assert Finding.objects.get().created_by == loaded.staff


def test_a_leader_reads_but_sees_no_staff_buttons(client, loaded):
    client.force_login(loaded.leader)
    html = _page(client, "results_findings", pk=loaded.round.pk)
    assert reverse("results_diagnose", kwargs={"pk": loaded.round.pk}) not in html


def test_the_factors_page_shows_indicators_for_the_county_and_each_school(client, loaded, monkeypatch):
    from types import SimpleNamespace

    from results import factors

    def fake(*, rnd, indicator, by, grade=None):
        if indicator != "sleep_hours" or grade != 4:
            return []
        if by == "county":
            return [SimpleNamespace(grade=4, n=8, mean=9.4, school_name="")]
        return [
            SimpleNamespace(grade=4, n=4, mean=9.1, school_name="甲小学"),
            SimpleNamespace(grade=4, n=4, mean=9.7, school_name="乙中学"),
        ]

    monkeypatch.setattr(factors, "_selector", lambda: fake)
    value = factors.factor_summary(rnd=loaded.round, indicator="sleep_hours", grade=4)
    assert (value.estimate, value.n, value.schools) == (9.4, 8, {"甲小学": 9.1, "乙中学": 9.7})
    html = _page(client, "results_factors", pk=loaded.round.pk)
    assert "9.4" in html and "9.7" in html
