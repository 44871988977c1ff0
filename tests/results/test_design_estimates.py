"""Estimates under the design as drawn, against a stratified jackknife worked by hand here:
certainty schools are strata of their own students, and the weights of each school's tested
students carry its absent students (within-school nonresponse adjustment). The domain page,
the overview and the county report show the same figures."""

import math
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from results.estimation import nonresponse_factors
from results.reports import _domain_section
from results.services import result_import_start
from rounds.models import Stage
from sampling.models import SampledSchool
from tests.factories import SchoolFactory

from .factories import SCORE_HEADER, make_sample, xlsx_bytes

# Four schools of four pupils: final weights (1/π × N/n) of each school's pupils and scores.
WEIGHTS = [20.0, 30.0, 5.0, 25.0]
SCORES = [
    [480, 500, 520, 540],  # A: pupil 4 exempt (免测)
    [430, 450, 470, 490],  # B: pupil 2 absent (缺考)
    [600, 560, 580, 620],  # C: drawn with certainty (π = 1), pupil 1 absent
    [510, 530, 550, 570],  # D: pupil 3 excluded after sampling
]
ABSENT, EXEMPT, EXCLUDED = {(1, 1), (2, 0)}, {(0, 3)}, {(3, 2)}
CERTAIN = 2


def hand_worked():
    """The estimate and SE from the formulas, school by school (no code of the app)."""
    tested = {}  # school → [(weight, score)]
    for s, (w, scores) in enumerate(zip(WEIGHTS, SCORES, strict=True)):
        eligible = [i for i in range(4) if (s, i) not in EXEMPT | EXCLUDED]
        answered = [i for i in eligible if (s, i) not in ABSENT]
        factor = len(eligible) / len(answered)  # equal weights within a school
        tested[s] = [(w * factor, scores[i]) for i in answered]

    def mean(units):
        return sum(w * y for w, y in units) / sum(w for w, _y in units)

    everyone = [u for s in tested for u in tested[s]]
    theta = mean(everyone)
    variance = 0.0
    # the sampled schools: one zone of k = 3 schools, each dropped in turn, the others × k/(k−1)
    sampled = [s for s in tested if s != CERTAIN]
    k = len(sampled)
    for dropped in sampled:
        units = [(w * (k / (k - 1)) if s in sampled else w, y) for s in tested if s != dropped for w, y in tested[s]]
        variance += (k - 1) / k * (mean(units) - theta) ** 2
    # the certainty school: a zone of its m tested pupils, each dropped in turn
    pupils = tested[CERTAIN]
    m = len(pupils)
    for dropped in range(m):
        units = [u for s in sampled for u in tested[s]]
        units += [(w * m / (m - 1), y) for i, (w, y) in enumerate(pupils) if i != dropped]
        variance += (m - 1) / m * (mean(units) - theta) ** 2
    plain_jk1 = 0.0  # what the page showed before: every school a unit, no adjustment
    raw = {s: [(WEIGHTS[s], SCORES[s][i]) for i in range(4) if (s, i) not in ABSENT | EXEMPT | EXCLUDED] for s in tested}
    raw_theta = mean([u for s in raw for u in raw[s]])
    for dropped in raw:
        units = [(w * 4 / 3, y) for s in raw if s != dropped for w, y in raw[s]]
        plain_jk1 += 3 / 4 * (mean(units) - raw_theta) ** 2
    return theta, math.sqrt(variance), raw_theta, math.sqrt(plain_jk1)


@pytest.fixture
def designed(world, django_capture_on_commit_callbacks):
    results_world = world
    world.round.stage = Stage.RESULTS
    world.round.save()
    county = results_world.round.county
    schools = [results_world.school_a, results_world.school_b, SchoolFactory(county=county), SchoolFactory(county=county)]
    students = make_sample(results_world.round, schools=schools, weights=WEIGHTS)
    SampledSchool.objects.filter(pk=students[CERTAIN * 4].sampled_school_id).update(certainty=True, probability=1.0, weight=1.0)
    for s, i in EXCLUDED:
        students[s * 4 + i].exclusion = "functional"
        students[s * 4 + i].save()
    rows = []
    for s in range(4):
        for i in range(4):
            status = "缺考" if (s, i) in ABSENT | EXCLUDED else "免测" if (s, i) in EXEMPT else ""
            rows.append((students[s * 4 + i].monitoring_id, "数学", status, None if status else SCORES[s][i]))
    with django_capture_on_commit_callbacks(execute=True):
        ri = result_import_start(
            rnd=results_world.round,
            kind="scores",
            domain="math",
            upload=SimpleUploadedFile("s.xlsx", xlsx_bytes(rows, header=SCORE_HEADER)),
            user=results_world.staff,
            language="zh-hans",
        )
    ri.refresh_from_db()
    assert ri.state == "active", ri.batch.errors
    return results_world


def test_nonresponse_factors_are_eligible_over_tested_weight_per_school():
    factors = nonresponse_factors(
        schools=["a", "a", "a", "b", "b"],
        weights=[2, 2, 2, 3, 3],
        eligible=[True, True, False, True, True],
        responded=[True, False, False, True, True],
    )
    assert factors == {"a": 2.0, "b": 1.0}


def test_the_page_shows_the_hand_worked_stratified_jackknife(client, designed):
    theta, se, raw_theta, raw_se = hand_worked()
    assert abs(se - raw_se) > 0.1 and abs(theta - raw_theta) > 0.1  # the design changes both figures
    client.force_login(designed.staff)
    rnd = designed.round
    expected = f"{theta:.1f} ({se:.1f})"
    domain_page = client.get(reverse("results_domain", args=[rnd.pk, "math", 4])).content.decode()
    assert expected in domain_page
    assert expected in client.get(reverse("results_overview", args=[rnd.pk])).content.decode()
    section = _domain_section(rnd, "math", 4)  # what the county report prints
    assert section["result"].mean.estimate == pytest.approx(theta, abs=1e-9)
    assert section["result"].mean.se == pytest.approx(se, abs=1e-9)


def test_the_page_shows_each_schools_adjustment(client, designed):
    client.force_login(designed.staff)
    html = client.get(reverse("results_domain", args=[designed.round.pk, "math", 4])).content.decode()
    table = html[html.index("sample-design") :]
    # A: 4 sampled, 1 exempt, 3 tested ×1; B: 1 absent ×4/3; C (certainty): 1 absent ×4/3; D: 1 excluded ×1
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', table)[:24]
    assert cells == [
        *("4", "0", "1", "0", "3", "× 1.000"),
        *("4", "0", "0", "1", "3", "× 1.333"),
        *("4", "0", "0", "1", "3", "× 1.333"),
        *("4", "1", "0", "0", "3", "× 1.000"),
    ]
    assert table.count("badge") == 1  # the certainty school is marked
