"""Documents of the results slice: the county diagnostic report (区县监测诊断报告) and each
sampled school's quality-analysis letter (学校质量分析反馈).

Builders only read, through the results and sampling selectors; ``rounds.documents`` renders
and stores. Whatever is missing (no scores imported yet, no questionnaires) is passed on as
None and the template says so. A letter shows one school beside the county: it never lists
another school, never ranks, and never reads a student's name.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from rounds.documents import DocumentKind
from rounds.models import Domain, Location, Round, grade_label
from sampling.models import SampledSchool, SampledStudent
from sampling.selectors import sampled_schools, sampled_schools_visible_to

from . import charts
from .estimation import Level, assign_levels
from .factors import factor_table, paper_entry_checks
from .health import bmi, poor_vision
from .models import Attendance, Finding, PeMeasurement, ReferenceValue, ResultImport, StudentScore
from .pe import BMI_LABELS, ITEM_LABELS, pe_result
from .reference import bmi_table_of, scored_domains
from .selectors import LEVEL_LABELS, active_import, domain_result, score_sample
from .verification import result_entry_summary

BMI_COLOURS = ("#f0ad4e", "#2e7d32", "#fd7e14", "#d9534f")
PERM = "results.view_results"


def _grade_label(grade: int) -> str:
    return grade_label(grade)


# --- the sample and participation ------------------------------------------------------


def _participation(rnd: Round, school: SampledSchool | None = None) -> list[dict]:
    """Per grade: schools, students drawn, exclusions, PE exemptions, tested per domain."""
    schools = sampled_schools(rnd=rnd)
    if school is not None:
        schools = schools.filter(pk=school.pk)
    drawn = (
        SampledStudent.objects.filter(sampled_school__in=schools)
        .values("sampled_school__grade")
        .annotate(
            sampled=Count("pk"),
            excluded=Count("pk", filter=~Q(exclusion="")),
            pe_exempt=Count("pk", filter=Q(pe_exempt=True)),
        )
    )
    by_grade = {row["sampled_school__grade"]: row for row in drawn}
    replaced = SampledSchool.objects.filter(round=rnd, status=SampledSchool.Status.REPLACED)
    out = []
    for grade in rnd.grades if school is None else [school.grade]:
        row = by_grade.get(grade, {"sampled": 0, "excluded": 0, "pe_exempt": 0})
        eligible = row["sampled"] - row["excluded"]
        out.append(
            {
                "grade": grade,
                "schools": schools.filter(grade=grade).count(),
                "replaced": replaced.filter(grade=grade).count(),
                "sampled": row["sampled"],
                "excluded": row["excluded"],
                "exclusion_rate": row["excluded"] / row["sampled"] if row["sampled"] else None,
                "pe_exempt": row["pe_exempt"],
                "domains": _tested(rnd, grade, schools, eligible),
            }
        )
    return out


def _tested(rnd: Round, grade: int, schools, eligible: int) -> list[dict]:
    out = []
    for domain in scored_domains(rnd):
        ri = active_import(rnd=rnd, kind=ResultImport.Kind.SCORES, domain=domain)
        counts = {}
        if ri is not None:
            counts = dict(
                StudentScore.objects.filter(result_import=ri, student__sampled_school__in=schools.filter(grade=grade))
                .values_list("attendance")
                .annotate(n=Count("pk"))
            )
        tested = counts.get(Attendance.PRESENT, 0)
        out.append(
            {
                "domain": domain,
                "imported": ri is not None,
                "tested": tested,
                "absent": counts.get(Attendance.ABSENT, 0),
                "rate": tested / eligible if ri is not None and eligible else None,
            }
        )
    return out


# --- the county report -----------------------------------------------------------------


def _spread(result) -> dict | None:
    means = np.array([row.table.mean for row in result.school_rows], dtype=float)
    if len(means) < 2:
        return None
    q1, median, q3 = np.percentile(means, [25, 50, 75])
    return {"min": means.min(), "q1": q1, "median": median, "q3": q3, "max": means.max(), "range": np.ptp(means)}


def _group_chart(result) -> str:
    rows = []
    if result.sex_gap:
        rows += [
            (_("Girls"), result.sex_gap.first.estimate, result.sex_gap.first.se),
            (_("Boys"), result.sex_gap.second.estimate, result.sex_gap.second.se),
        ]
    rows += [(str(Location(loc).label), e.estimate, e.se) for loc, e in result.location_means.items() if e]
    if not rows or result.mean is None:
        return ""
    return charts.means_with_intervals(
        rows, title=_("Means of groups with intervals of ±1.96 SE"), reference=result.mean.estimate, reference_label=_("Whole county")
    )


def _gaps(result) -> list[dict]:
    """Girls − boys and urban − each other location, with whether the gap exceeds 1.96 SE."""
    gaps = []
    if result.sex_gap:
        gaps.append((f"{_('Girls')} − {_('Boys')}", result.sex_gap))
    for key, gap in result.location_gaps.items():
        if gap is not None:
            gaps.append((f"{Location.URBAN.label} − {Location(key.split('-', 1)[1]).label}", gap))
    return [{"label": label, "gap": g, "clear": math.isfinite(g.gap.se) and abs(g.gap.estimate) > 1.96 * g.gap.se} for label, g in gaps]


def _domain_section(rnd: Round, domain: str, grade: int) -> dict:
    result = domain_result(rnd=rnd, domain=domain, grade=grade)
    section = {"domain": domain, "grade": grade, "result": result}
    if result is None:
        return section
    levels = [(LEVEL_LABELS[lv], result.levels[lv]) for lv in Level] if result.levels else []
    section["levels"] = levels
    if levels:
        section["level_chart"] = charts.stacked_shares(
            [(_grade_label(grade), [e.estimate for _l, e in levels])],
            legend=[str(label) for label, _e in levels],
            title=_("Share of students in each level"),
        )
    section["group_chart"] = _group_chart(result)
    section["gaps"] = _gaps(result)
    section["spread"] = _spread(result)
    # Schools by identification code, in code order: the spread, not a ranking (不排队).
    section["school_chart"] = charts.means_with_intervals(
        [(row.code, row.table.mean, math.nan) for row in result.school_rows],
        title=_("School means (in order of school code)"),
        reference=result.mean.estimate if result.mean else None,
        reference_label=_("Whole county"),
    )
    previous = str(ReferenceValue.Source.PREVIOUS.label)
    section["has_previous"] = any(str(c.source) == previous for c in result.comparisons)
    return section


def _county_report(*, rnd: Round, subject: str, progress) -> tuple[str, dict]:
    progress(_("Reading the sample"), 10)
    participation = _participation(rnd)
    progress(_("Estimating the results"), 20)
    sections = [_domain_section(rnd, d, g) for g in rnd.grades for d in scored_domains(rnd)]
    done = [s for s in sections if s["result"] is not None and s.get("levels")]
    overview_chart = ""
    if done:
        overview_chart = charts.stacked_shares(
            [(f"{s['result'].domain_label} · {_grade_label(s['grade'])}", [e.estimate for _l, e in s["levels"]]) for s in done],
            legend=[str(LEVEL_LABELS[lv]) for lv in Level],
            title=_("Share of students in each level"),
        )
    progress(_("PE-health and related factors"), 45)
    pe = pe_result(rnd=rnd)
    factors = [row for row in factor_table(rnd=rnd) if any(v is not None for v in row[2])]
    findings = list(Finding.objects.filter(round=rnd, status=Finding.Status.OPEN).order_by("grade", "domain", "pk"))
    return "documents/county_report.html", {
        "participation": participation,
        "sections": sections,
        "overview_chart": overview_chart,
        "pe": pe,
        "pe_chart": _bmi_chart(pe),
        "bmi_labels": list(BMI_LABELS.items()),
        "item_labels": ITEM_LABELS,
        "factors": factors,
        "entry_checks": paper_entry_checks(rnd=rnd),
        "result_entry_checks": result_entry_summary(rnd=rnd),
        "findings": findings,
        "schools_total": sum(p["schools"] for p in participation),
        "domain_labels": dict(Domain.choices),
    }


def _bmi_chart(pe) -> str:
    if pe is None or not pe.groups:
        return ""
    rows = [
        (f"{_grade_label(g.grade)} {g.sex_label}", [g.bmi_shares[c].estimate if g.bmi_shares.get(c) else 0.0 for c in BMI_LABELS])
        for g in pe.groups
    ]
    return charts.stacked_shares(rows, legend=[str(v) for v in BMI_LABELS.values()], title=_("BMI categories"), colours=BMI_COLOURS)


# --- the school letter -----------------------------------------------------------------

# A school "stands out" on a questionnaire indicator when it differs from the county by this
# much: ten percentage points for a share, a tenth of the county value for a mean.
SHARE_MARGIN, MEAN_MARGIN = 0.10, 0.10


def _letter_school(rnd: Round, subject: str) -> SampledSchool:
    try:
        return sampled_schools(rnd=rnd).get(pk=int(subject))
    except (ValueError, SampledSchool.DoesNotExist):
        raise LookupError(_("The school of this letter is not in the round's sample.")) from None


def _letter_domain(rnd: Round, school: SampledSchool, domain: str) -> dict:
    sample = score_sample(rnd=rnd, domain=domain, grade=school.grade)
    county = domain_result(rnd=rnd, domain=domain, grade=school.grade, sample=sample) if sample else None
    section: dict[str, Any] = {"domain": domain, "county": county, "school": None}
    if county is None or sample is None:
        return section
    mine = sample.values[sample.clusters == school.pk]
    if len(mine) == 0:
        return section
    counts = np.bincount(assign_levels(scores=mine, cuts=county.cut.cuts), minlength=5)[1:]
    shares = counts / len(mine)
    # Students are a simple random sample within the school: the SRS standard error.
    se = float(mine.std(ddof=1) / math.sqrt(len(mine))) if len(mine) > 1 else math.nan
    mean = float(mine.mean())
    section["school"] = {
        "tested": len(mine),
        "mean": mean,
        "se": se,
        "levels": [(LEVEL_LABELS[lv], shares[lv - 1], county.levels[lv] if county.levels else None) for lv in Level],
        "table": next((row.table for row in county.school_rows if row.code == school.school.code), None),
    }
    if county.mean is not None:
        diff_se = math.hypot(se, county.mean.se) if math.isfinite(se) else math.nan
        section["school"]["difference"] = mean - county.mean.estimate
        section["school"]["distance"] = abs(mean - county.mean.estimate)
        section["school"]["clearly"] = math.isfinite(diff_se) and abs(mean - county.mean.estimate) > 1.96 * diff_se
    this, whole = _("This school"), _("Whole county")
    rows = [(this, mean, se)] + ([(whole, county.mean.estimate, county.mean.se)] if county.mean else [])
    section["mean_chart"] = charts.means_with_intervals(rows, title=_("Means of groups with intervals of ±1.96 SE"))
    level_rows = [(this, list(shares))]
    if county.levels:
        level_rows.append((whole, [county.levels[lv].estimate for lv in Level]))
    section["level_chart"] = charts.stacked_shares(
        level_rows, legend=[str(LEVEL_LABELS[lv]) for lv in Level], title=_("Share of students in each level")
    )
    return section


def _school_pe(rnd: Round, school: SampledSchool) -> dict | None:
    """The school's BMI categories and poor-vision rate (weights are equal within a school)."""
    ri = active_import(rnd=rnd, kind=ResultImport.Kind.PE)
    if ri is None:
        return None
    rows = list(
        PeMeasurement.objects.filter(result_import=ri, student__sampled_school=school).values_list(
            "attendance", "student__sex", "height_cm", "weight_kg", "vision_left", "vision_right"
        )
    )
    table = bmi_table_of(county=rnd.county)
    categories, vision = [], []
    for attendance, sex, height, weight, left, right in rows:
        if attendance != Attendance.PRESENT:
            continue
        # A grade without a row in the county's BMI table, or a value missing, stays unclassified.
        with contextlib.suppress(LookupError, ValueError):
            categories.append(str(table.norm(grade=school.grade, sex=sex).category(bmi(height_cm=height, weight_kg=weight))))
        try:
            judged = poor_vision(left=left, right=right)
        except ValueError:
            judged = None
        if judged is not None:
            vision.append(judged)
    shares = {c: categories.count(c) / len(categories) for c in BMI_LABELS} if categories else {}
    return {
        "tested": sum(a == Attendance.PRESENT for a, *_r in rows),
        "exempt": sum(a == Attendance.EXEMPT for a, *_r in rows),
        "bmi": shares,
        "poor_vision": sum(vision) / len(vision) if vision else None,
    }


def _letter_factors(rnd: Round, school: SampledSchool) -> list[dict]:
    grade_index = list(rnd.grades).index(school.grade) if school.grade in rnd.grades else None
    out = []
    for key, label, values in factor_table(rnd=rnd):
        value = values[grade_index] if grade_index is not None else None
        mine = value.schools.get(school.school.name) if value is not None else None
        if value is None or mine is None:
            continue
        margin = SHARE_MARGIN if value.is_share else abs(value.estimate) * MEAN_MARGIN
        out.append(
            {"key": key, "label": label, "school": mine, "county": value.estimate, "share": value.is_share,
             "stands_out": abs(mine - value.estimate) >= margin, "higher": mine > value.estimate}
        )  # fmt: skip
    return out


def _suggestions(domains: list[dict], pe: dict | None, county_pe, factors: list[dict], grade: int) -> list[dict]:
    """Codes the letter's template turns into suggestions; the general one always comes last."""
    below, many_level1 = [], []
    for d in domains:
        mine, county = d["school"], d["county"]
        if mine and mine.get("clearly") and mine["difference"] < 0:
            below.append(county.domain_label)
        if mine and county.levels and mine["levels"][0][1] > county.levels[Level.NEEDS_IMPROVEMENT].estimate + SHARE_MARGIN:
            many_level1.append(county.domain_label)
    out = [{"code": code, "domain": "、".join(names)} for code, names in (("below_county", below), ("many_level1", many_level1)) if names]
    county = next((g for g in county_pe.groups if g.grade == grade and g.sex == ""), None) if county_pe else None
    if pe and county:
        if pe["poor_vision"] is not None and county.poor_vision and pe["poor_vision"] > county.poor_vision.estimate + SHARE_MARGIN:
            out.append({"code": "poor_vision"})
        obese = county.bmi_shares.get("obese")
        if obese and pe["bmi"].get("obese", 0) + pe["bmi"].get("overweight", 0) > obese.estimate + SHARE_MARGIN:
            out.append({"code": "weight"})
    unfavourable = {"sleep_meets_norm": False, "homework_minutes": True, "homework_within_norm": False, "pe_one_hour": False}
    for f in factors:
        if f["stands_out"] and unfavourable.get(f["key"]) is f["higher"]:
            out.append({"code": f["key"]})
    return [*out, {"code": "general"}]


def _school_letter(*, rnd: Round, subject: str, progress) -> tuple[str, dict]:
    progress(_("Reading the sample"), 10)
    school = _letter_school(rnd, subject)
    progress(_("Estimating the results"), 20)
    domains = [_letter_domain(rnd, school, d) for d in scored_domains(rnd)]
    progress(_("PE-health and related factors"), 45)
    pe, county_pe = _school_pe(rnd, school), pe_result(rnd=rnd)
    county_group = next((g for g in county_pe.groups if g.grade == school.grade and g.sex == ""), None) if county_pe else None
    factors = _letter_factors(rnd, school)
    return "documents/school_letter.html", {
        "school": school,
        "participation": _participation(rnd, school)[0],
        "domains": domains,
        "pe": pe,
        "county_pe": county_group,
        "bmi_labels": list(BMI_LABELS.items()),
        "factors": factors,
        "suggestions": _suggestions(domains, pe, county_pe, factors, school.grade),
        "domain_labels": dict(Domain.choices),
    }


def _letter_title(rnd: Round, subject: str) -> str:
    school = SampledSchool.objects.filter(round=rnd, pk=int(subject) if subject.isdigit() else 0).select_related("school").first()
    name = f"{school.school.name}（{_grade_label(school.grade)}）" if school else subject
    return _("Quality analysis letter to %(school)s") % {"school": name}


BUILDERS = {
    "county_report": DocumentKind(
        title=lambda rnd, subject: _("County diagnostic report of the %(year)s monitoring") % {"year": rnd.year},
        build=_county_report,
        perm=PERM,
    ),
    # A coordinator reads the letter of their own school (the subject is its sampled school).
    "school_letter": DocumentKind(
        title=_letter_title,
        build=_school_letter,
        perm="results.view_school_letter",
        per_subject=True,
        subjects=sampled_schools_visible_to,
    ),
}
