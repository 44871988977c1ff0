"""Partial data never answers 500: scores for one school of the grade only, in one domain only,
then every results page and the county report."""

import pytest
from django.urls import reverse

from rounds.models import Document
from tests.reports.helpers import build

from .data import import_file
from .factories import SCORE_HEADER, make_sample, xlsx_bytes


@pytest.fixture
def one_school_scored(results_world, django_capture_on_commit_callbacks, client):
    world = results_world
    # Grade 8 is sampled too, but nothing of it is imported.
    make_sample(world.round, schools=[world.school_b], grade=8)
    only_a = [s for s in world.students if s.sampled_school.school == world.school_a]
    rows = [(s.monitoring_id, "数学", "", score) for s, score in zip(only_a, [400, 500, 600, 700], strict=True)]
    ri = import_file(world, django_capture_on_commit_callbacks, xlsx_bytes(rows, header=SCORE_HEADER))
    assert ri.state == "active", ri.errors
    client.force_login(world.staff)
    return world


def _results_urls(rnd):
    urls = [
        reverse(name, kwargs={"pk": rnd.pk})
        for name in (
            "results_overview",
            "results_pe",
            "results_factors",
            "results_import",
            "results_cut_scores",
            "results_references",
            "results_settings",
            "results_findings",
            "results_finding_add",
        )
    ]
    for domain in rnd.domains:
        for grade in rnd.grades:
            kwargs = {"pk": rnd.pk, "domain": domain, "grade": grade}
            urls += [reverse("results_domain", kwargs=kwargs), reverse("results_students", kwargs=kwargs)]
    return urls


def test_every_results_page_answers_with_one_school_and_one_domain_scored(client, one_school_scored):
    rnd = one_school_scored.round
    for url in [reverse("results_home"), *_results_urls(rnd)]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
    html = client.get(reverse("results_domain", kwargs={"pk": rnd.pk, "domain": "math", "grade": 4})).content.decode()
    assert "550.0" in html and "甲小学" in html


def test_diagnosis_and_the_county_report_run_on_partial_data(client, one_school_scored):
    rnd = one_school_scored.round
    assert client.post(reverse("results_diagnose", kwargs={"pk": rnd.pk})).status_code == 302
    assert client.get(reverse("results_findings", kwargs={"pk": rnd.pk})).status_code == 200
    document = build(one_school_scored, "county_report")
    assert document.status == Document.Status.DONE, document.error


def test_the_estimate_filters_show_a_dash_for_what_is_not_an_estimate():
    from results.estimation import Estimate
    from results.templatetags.results_tags import est, est_pct

    assert est("") == est(None) == est_pct("") == "—"
    assert est(Estimate(estimate=500.26, se=float("nan"), replicates=1)) == "500.3 (—)"
