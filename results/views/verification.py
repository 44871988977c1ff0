"""Double entry of the score and PE-health sheets: the sample, the second entry (workbook or
quick entry), the comparison and decisions.

Who: county staff. The import's uploader (the first enterer) is refused the second entry and
the comparison; a second enterer is refused the comparison (it shows the first's values); the
decisions are a third person's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm
from monitoring_site.spreadsheets import Table

from ..forms import SecondWorkbookForm
from ..models import ResultImport, ResultVerification, RowDisagreement, VerificationRow
from ..selectors import imports_visible_to
from ..verification import (
    EntryRefused,
    WorkbookRefused,
    check_entries,
    disagreement_decide,
    entry_columns,
    error_rates,
    field_label,
    import_check,
    may_compare,
    may_enter,
    second_entry_save,
    second_workbook_save,
    shown,
    stage_refusal,
    value_columns,
    verification_draw,
    verification_extend,
    workbook,
)


def _refused(request: AuthenticatedHttpRequest, message: str) -> HttpResponse:
    return render(request, "questionnaires/entry_refused.html", {"message": message}, status=403)


def _first_enterer_refusal(request: AuthenticatedHttpRequest, verification: ResultVerification) -> HttpResponse | None:
    try:
        may_enter(verification, request.user)
    except EntryRefused as exc:
        return _refused(request, exc.message)
    return None


def _verification(request: AuthenticatedHttpRequest, pk: int) -> ResultVerification:
    verifications = ResultVerification.objects.select_related("result_import__batch", "result_import__round")
    return get_visible_or_404(verifications.filter(result_import__in=imports_visible_to(request.user)), result_import=pk)


@require_POST
@require_perm("results.manage_results")
def results_verification_draw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ri = get_visible_or_404(imports_visible_to(request.user), pk=pk)
    try:
        verification = verification_draw(result_import=ri, user=request.user)
    except EntryRefused as exc:
        messages.error(request, exc.message)
    else:
        drawn = {"n": verification.rows.count(), "seed": verification.seed}
        messages.success(request, _("%(n)s rows drawn for the second entry (seed %(seed)s).") % drawn)
    return redirect("results_import_detail", pk=ri.pk)


@require_POST
@require_perm("results.manage_results")
def results_verification_extend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    verification = _verification(request, pk)
    try:
        added = verification_extend(verification=verification, user=request.user)
    except EntryRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s more rows are to be entered a second time: the whole import.") % {"n": added})
    return redirect("results_import_detail", pk=pk)


@require_perm("results.manage_results")
def results_verification_rows(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The drawn rows (monitoring IDs only), the blank workbook and its upload."""
    verification = _verification(request, pk)
    if refusal := _first_enterer_refusal(request, verification):
        return refusal
    form = SecondWorkbookForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            n, disagreeing = second_workbook_save(verification=verification, data=upload.read(), name=upload.name, user=request.user)
        except WorkbookRefused as exc:
            messages.error(request, exc.message)
            errors = exc.errors
        except EntryRefused as exc:
            return _refused(request, exc.message)
        else:
            messages.success(
                request, _("%(n)s rows entered a second time; %(d)s fields disagree with the first.") % {"n": n, "d": disagreeing}
            )
            return redirect("results_verification_rows", pk=pk)
    rows = verification.rows.select_related("student__sampled_school__school", "entered_by")
    return render(
        request,
        "results/verification_rows.html",
        {
            "verification": verification,
            "ri": verification.result_import,
            "rows": rows,
            "form": form,
            "errors": errors,
            "entry_stage_refusal": stage_refusal(verification.result_import),
        },
    )


@require_perm("results.manage_results")
def results_verification_workbook(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    verification = _verification(request, pk)
    if refusal := _first_enterer_refusal(request, verification):
        return refusal
    response = HttpResponse(
        workbook(verification=verification), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''second-entry-{pk}.xlsx"
    return response


@require_perm("results.manage_results")
def results_second_entry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The quick-entry page of one drawn row: empty fields only, never the first's values."""
    rows = VerificationRow.objects.select_related("verification__result_import__batch", "student__sampled_school__school")
    row = get_visible_or_404(rows.filter(verification__result_import__in=imports_visible_to(request.user)), pk=pk)
    verification = row.verification
    ri = verification.result_import
    if refusal := _first_enterer_refusal(request, verification):
        return refusal
    if row.entered_at is not None:
        messages.info(request, _("This row has already been entered a second time."))
        return redirect("results_verification_rows", pk=ri.pk)
    if refusal_text := stage_refusal(ri):
        messages.error(request, refusal_text)
        return redirect("results_verification_rows", pk=ri.pk)
    columns = value_columns(entry_columns(ri))
    typed: dict[str, str] = {}
    problems: dict[str, str] = {}
    if request.method == "POST":
        typed = {c.field: request.POST.get(c.field, "").strip() for c in columns}
        values, problems = _checked(ri, row, columns, typed)
        if not problems:
            try:
                n = second_entry_save(row=row, second=values, user=request.user)
            except EntryRefused as exc:
                return _refused(request, exc.message)
            messages.success(request, _("Second entry saved; %(n)s fields disagree with the first.") % {"n": n})
            nxt = verification.rows.filter(entered_at=None).first()
            return redirect("results_second_entry", pk=nxt.pk) if nxt else redirect("results_verification_rows", pk=ri.pk)
    fields = [{"column": c, "typed": typed.get(c.field, ""), "problem": problems.get(c.field, "")} for c in columns]
    return render(request, "results/second_entry.html", {"row": row, "ri": ri, "fields": fields, "problems": problems})


def _checked(ri: ResultImport, row: VerificationRow, columns: list, typed: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed fields checked as the import checks a row of the sheet: values, or problems by field."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {"monitoring_id": row.student.monitoring_id, "domain": None}
    for c in columns:
        text = typed.get(c.field, "")
        try:
            values[c.field] = c.parse(text) if text and c.parse else None
        except ValueError as exc:
            problems[c.field] = str(exc)
    if problems:
        return {}, problems
    entries, errors = check_entries(ri, Table(rows=[(1, values)], columns=entry_columns(ri)))
    by_header = {c.header: c.field for c in columns}
    for e in errors:
        problems[by_header.get(e.column, columns[0].field)] = e.message
    return (entries[row.student_id][1] if not problems else {}), problems


@require_perm("results.manage_results")
def results_verification_compare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    verification = _verification(request, pk)
    try:
        may_compare(verification, request.user)
    except EntryRefused:
        return _refused(request, _("The comparison shows both entries: it is for a third person, who entered none of this import's rows."))
    ri = verification.result_import
    disagreements = RowDisagreement.objects.filter(row__verification=verification).select_related(
        "decided_by", "row__student__sampled_school__school"
    )
    rows: list[dict[str, Any]] = [
        {
            "d": d,
            "label": field_label(ri, d.field),
            "first": shown(d.field, d.first_value),
            "second": shown(d.field, d.second_value),
            "decided": shown(d.field, d.decided_value),
        }
        for d in disagreements
    ]
    first_open = next((row["d"].pk for row in rows if row["d"].decided_at is None), None)
    return render(
        request,
        "results/verification_compare.html",
        {
            "verification": verification,
            "ri": ri,
            "rows": rows,
            "rates": error_rates(verification=verification),
            "choices": RowDisagreement.Choice.choices,
            "first_open": first_open,
            "entry_stage_refusal": stage_refusal(ri),
        },
    )


@require_POST
@require_perm("results.manage_results")
def results_disagreement_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disagreements = RowDisagreement.objects.select_related("row__verification")
    visible = disagreements.filter(row__verification__result_import__in=imports_visible_to(request.user))
    disagreement = get_visible_or_404(visible, pk=pk)
    try:
        disagreement_decide(
            disagreement=disagreement, choice=request.POST.get("choice", ""), other=request.POST.get("other", ""), user=request.user
        )
    except EntryRefused as exc:
        messages.error(request, exc.message)
    return redirect("results_verification_compare", pk=disagreement.row.verification.result_import_id)


def verification_panel(*, ri: ResultImport) -> dict[str, Any]:
    """What the import page shows of the double entry (rates only: no value of either entry)."""
    check = import_check(ri)
    replaced_verified = ri.replaces_id is not None and ResultVerification.objects.filter(result_import=ri.replaces_id).exists()
    whole = check.rates is not None and check.rates.forms == (ri.batch.created or 0)
    return {
        "check": check,
        "goal_percent": 1,
        "replaced_verified": replaced_verified,
        "whole_import_drawn": whole,
        "entry_stage_refusal": stage_refusal(ri),
    }
