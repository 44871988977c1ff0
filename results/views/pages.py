"""Reading the county's results: overview, one domain and grade, students' levels, PE-health,
factors. County staff and leaders only; schools are listed by code, never ranked."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from monitoring_site.audit import audit_record
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import require_perm
from rounds.models import Domain, Location, grade_label

from .. import charts
from ..estimation import Level
from ..factors import factor_table, factors_available
from ..pe import BMI_LABELS, ITEM_LABELS, pe_indicator_values, pe_result
from ..selectors import (
    LEVEL_LABELS,
    comparisons_for,
    domain_result,
    findings_visible_to,
    imports_visible_to,
    overview,
    student_levels,
)
from .common import base_context, check_domain_grade, round_for


def _level_chart(results, title):
    rows = [
        (
            f"{r.domain_label} · {grade_label(r.grade)}",
            [r.levels[lv].estimate for lv in Level],
        )
        for r in results
        if getattr(r, "levels", None)
    ]
    return charts.stacked_shares(rows, legend=[str(LEVEL_LABELS[lv]) for lv in Level], title=title) if rows else ""


@require_perm("results.view_results")
def results_overview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    items = overview(rnd=rnd)
    done = [r for r in items if not isinstance(r, tuple)]
    findings = findings_visible_to(request.user).filter(round=rnd, status="open")
    imports = imports_visible_to(request.user).filter(round=rnd)[:8]
    return render(
        request,
        "results/overview.html",
        base_context(
            rnd,
            items=items,
            level_chart=_level_chart(done, _("Share of students in each level")),
            findings=findings,
            imports=imports,
            domain_labels=dict(Domain.choices),
        ),
    )


@require_perm("results.view_results")
def results_domain(request: AuthenticatedHttpRequest, pk: int, domain: str, grade: int) -> HttpResponse:
    rnd = round_for(request, pk)
    check_domain_grade(rnd, domain, grade)
    result = domain_result(rnd=rnd, domain=domain, grade=grade)
    context = base_context(
        rnd,
        domain=domain,
        grade=grade,
        domain_label=dict(Domain.choices)[domain],
        result=result,
        level_labels=LEVEL_LABELS,
        location_labels=dict(Location.choices),
    )
    if result is not None:
        context["levels"] = [(LEVEL_LABELS[lv], result.levels[lv]) for lv in Level] if result.levels else []
        context["level_chart"] = _level_chart([result], _("Share of students in each level"))
        groups = []
        if result.sex_gap:
            groups += [
                (_("Girls"), result.sex_gap.first.estimate, result.sex_gap.first.se),
                (_("Boys"), result.sex_gap.second.estimate, result.sex_gap.second.se),
            ]
        groups += [(str(Location(loc).label), e.estimate, e.se) for loc, e in result.location_means.items() if e]
        county_mean = result.mean.estimate if result.mean else None
        context["group_chart"] = (
            charts.means_with_intervals(
                groups,
                title=_("Means of groups with intervals of ±1.96 SE"),
                reference=county_mean,
                reference_label=_("County"),
            )
            if groups
            else ""
        )
        context["school_chart"] = charts.means_with_intervals(
            [(row.name, row.table.mean, float("nan")) for row in result.school_rows],
            title=_("School means (in order of school code)"),
            reference=county_mean,
            reference_label=_("County"),
        )
    return render(request, "results/domain.html", context)


@require_perm("results.view_results")
def results_students(request: AuthenticatedHttpRequest, pk: int, domain: str, grade: int) -> HttpResponse:
    rnd = round_for(request, pk)
    check_domain_grade(rnd, domain, grade)
    page = Paginator(student_levels(rnd=rnd, domain=domain, grade=grade), 100).get_page(request.GET.get("page"))
    audit_record(
        request=request,
        action="view",
        obj_type="results.StudentScore",
        obj_id=str(rnd.pk),
        summary=_("Student levels, %(domain)s, %(grade)s, page %(page)s")
        % {"domain": dict(Domain.choices)[domain], "grade": grade_label(grade), "page": page.number},
    )
    return render(
        request,
        "results/students.html",
        base_context(rnd, page=page, domain=domain, grade=grade, domain_label=dict(Domain.choices)[domain]),
    )


@require_perm("results.view_results")
def results_pe(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    result = pe_result(rnd=rnd)
    context = base_context(rnd, result=result, bmi_labels=list(BMI_LABELS.items()), item_labels=ITEM_LABELS)
    if result is not None:
        rows = [
            (
                f"{grade_label(g.grade)} {g.sex_label}",
                [e.estimate if (e := g.bmi_shares.get(c)) else 0.0 for c, _l in BMI_LABELS.items()],
            )
            for g in result.groups
        ]
        context["bmi_chart"] = charts.stacked_shares(
            rows,
            legend=[str(v) for v in BMI_LABELS.values()],
            title=_("BMI categories"),
            colours=("#f0ad4e", "#2e7d32", "#fd7e14", "#d9534f"),
        )
        context["comparisons"] = [
            (
                g,
                comparisons_for(
                    rnd=rnd,
                    domain=Domain.PE_HEALTH,
                    grade=g,
                    values=pe_indicator_values(result, grade=g),
                ),
            )
            for g in rnd.grades
        ]
    return render(request, "results/pe.html", context)


@require_perm("results.view_results")
def results_factors(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    items = [r for r in overview(rnd=rnd) if not isinstance(r, tuple)]
    table = factor_table(rnd=rnd)
    context = base_context(rnd, available=factors_available(), factors=table, results=items, per_school=_per_school(rnd, table))
    return render(request, "results/factors.html", context)


def _per_school(rnd, table):
    """For each grade: the factors' labels and one row of values per school (by name)."""
    out = []
    for i, grade in enumerate(rnd.grades):
        present = [(label, values[i]) for _key, label, values in table if values[i] and values[i].schools]
        names = sorted({name for _label, v in present for name in v.schools})
        if not present:
            continue
        rows = [(name, [_cell(v, name) for _label, v in present]) for name in names]
        out.append((grade, [label for label, _v in present], rows))
    return out


def _cell(value, school: str) -> str:
    from ..templatetags.results_tags import num, pct

    x = value.schools.get(school)
    return (pct(x) if value.is_share else num(x)) if x is not None else "—"


@require_perm("results.view_results")
def results_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    from django.shortcuts import redirect

    from rounds.selectors import round_of_request

    rnd = round_of_request(request)
    if rnd is None:
        return render(request, "results/no_round.html", {})
    return redirect("results_overview", pk=rnd.pk)
