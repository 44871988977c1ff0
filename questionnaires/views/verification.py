"""Double entry of paper forms: the sample, the second entry (a quick-entry page per form, or
the second workbook), the comparison and decisions.

Who: county staff. The batch's uploader (the first enterer) is refused the second entry and
the comparison; a second enterer is refused the comparison (it shows the first's values);
the decisions are a third person's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import county_filtered, get_visible_or_404, require_perm
from rounds.models import ImportBatch

from ..exports import paper_template_bytes
from ..forms import PaperImportForm
from ..imports import PAPER_KIND, paper_form_check
from ..models import Disagreement, Instrument, Item, VerificationForm, VerificationSample
from ..services import paper_stage_refusal
from ..verification import (
    EntryRefused,
    disagreement_decide,
    disagreements_of,
    entered_by,
    entry_items,
    error_rates,
    forms_of,
    second_entry_save,
    second_workbook_import,
    verification_sample_draw,
    verification_sample_extend,
)
from . import xlsx_response


def _refused(request: AuthenticatedHttpRequest, message: str) -> HttpResponse:
    return render(request, "questionnaires/entry_refused.html", {"message": message}, status=403)


def _batch(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return get_visible_or_404(county_filtered(request.user, ImportBatch.objects.filter(kind__startswith=PAPER_KIND)), pk=pk)


def _sample(request: AuthenticatedHttpRequest, pk: int) -> VerificationSample:
    samples = VerificationSample.objects.select_related("batch", "instrument")
    return get_visible_or_404(county_filtered(request.user, samples, "batch__county"), batch=pk)


def _first_enterer_refusal(request: AuthenticatedHttpRequest, sample: VerificationSample) -> HttpResponse | None:
    if request.user.pk == sample.batch.uploaded_by_id:
        return _refused(request, _("You entered this batch the first time; the second entry must be made by someone else."))
    return None


def shown(item: Item, value: Any) -> str:
    """A stored value as the paper shows it: the code and, for options, its label."""
    if value in (None, "", []):
        return "—"
    values = value if isinstance(value, list) else [value]
    labels = item.choice_labels
    return "；".join(f"{v} {labels[str(v)]}" if str(v) in labels else str(v) for v in values)


@require_POST
@require_perm("questionnaires.manage")
def verification_draw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        sample = verification_sample_draw(batch=batch, user=request.user)
    except EntryRefused as exc:
        messages.error(request, exc.message)
    else:
        drawn = {"n": sample.forms.count(), "seed": sample.seed}
        messages.success(request, _("%(n)s forms drawn for the second entry (seed %(seed)s).") % drawn)
    return redirect("paper_import_detail", pk=batch.pk)


@require_POST
@require_perm("questionnaires.manage")
def verification_extend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sample = _sample(request, pk)
    try:
        added = verification_sample_extend(sample=sample, user=request.user)
    except EntryRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s more forms are to be entered a second time: the whole batch.") % {"n": added})
    return redirect("paper_import_detail", pk=sample.batch_id)


def _forms_page(
    request: AuthenticatedHttpRequest, sample: VerificationSample, *, form: PaperImportForm | None = None, upload: ImportBatch | None = None
) -> HttpResponse:
    return render(
        request,
        "questionnaires/verification_forms.html",
        {
            "sample": sample,
            "forms": forms_of(sample=sample),
            "form": form or PaperImportForm(),
            "upload": upload,
            "entry_stage_refusal": paper_stage_refusal(sample.instrument.round),
        },
    )


@require_perm("questionnaires.manage")
def verification_forms(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sample = _sample(request, pk)
    if refusal := _first_enterer_refusal(request, sample):
        return refusal
    return _forms_page(request, sample)


@require_perm("questionnaires.manage")
def verification_workbook(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The second workbook: the paper-forms template with one row per drawn form awaiting its
    second entry, its access code filled in and every item blank. It lists ids only (access
    codes: no name, no answer of either entry), so its download is no export of personal data
    and is not recorded as one."""
    sample = _sample(request, pk)
    if refusal := _first_enterer_refusal(request, sample):
        return refusal
    codes = [f.response.access_code.display_code for f in forms_of(sample=sample).filter(entered_at=None)]
    return xlsx_response(paper_template_bytes(sample.instrument, codes=codes), f"second-entry-{sample.batch_id}.xlsx")


@require_POST
@require_perm("questionnaires.manage")
def verification_workbook_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The second workbook filled in: stored whole, or refused with every row's error."""
    sample = _sample(request, pk)
    if refusal := _first_enterer_refusal(request, sample):
        return refusal
    form = PaperImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _forms_page(request, sample, form=form)
    try:
        upload, disagreeing = second_workbook_import(sample=sample, upload=form.cleaned_data["file"], user=request.user)
    except EntryRefused as exc:
        return _refused(request, exc.message)
    if upload.status != ImportBatch.Status.DONE:
        return _forms_page(request, sample, upload=upload)
    done = {"n": upload.created, "d": disagreeing}
    messages.success(request, _("%(n)s forms entered a second time from the workbook; %(d)s fields disagree with the first.") % done)
    for note in upload.notes:  # the rows left blank, the sheet read
        messages.info(request, note)
    return redirect("verification_forms", pk=sample.batch_id)


@require_perm("questionnaires.manage")
def second_entry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The quick-entry page of one drawn form: empty fields only, never the first's values."""
    forms = VerificationForm.objects.select_related("sample__batch", "sample__instrument", "response__access_code__sampled_school__school")
    form = get_visible_or_404(county_filtered(request.user, forms, "sample__batch__county"), pk=pk)
    if refusal := _first_enterer_refusal(request, form.sample):
        return refusal
    if form.entered_at is not None:
        messages.info(request, _("This form has already been entered a second time."))
        return redirect("verification_forms", pk=form.sample.batch_id)
    if stage_refusal := paper_stage_refusal(form.sample.instrument.round):
        messages.error(request, stage_refusal)
        return redirect("verification_forms", pk=form.sample.batch_id)
    items = entry_items(instrument=form.sample.instrument)
    typed: dict[str, str] = {}
    problems: dict[str, str] = {}
    if request.method == "POST":
        typed = {i.code: request.POST.get(i.code, "") for i in items if i.code in request.POST}
        answers, problems = paper_form_check(items, typed)
        if not problems:
            try:
                n = second_entry_save(form=form, values=answers, user=request.user)
            except EntryRefused as exc:
                return _refused(request, exc.message)
            messages.success(request, _("Second entry saved; %(n)s fields disagree with the first.") % {"n": n})
            nxt = forms_of(sample=form.sample).filter(entered_at=None).first()
            return redirect("second_entry", pk=nxt.pk) if nxt else redirect("verification_forms", pk=form.sample.batch_id)
    fields = [{"item": i, "typed": typed.get(i.code, ""), "problem": problems.get(i.code, "")} for i in items]
    return render(request, "questionnaires/second_entry.html", {"form": form, "fields": fields, "problems": problems})


@require_perm("questionnaires.manage")
def verification_compare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sample = _sample(request, pk)
    if request.user.pk == sample.batch.uploaded_by_id or request.user.pk in entered_by(sample=sample):
        return _refused(request, _("The comparison shows both entries: it is for a third person, who entered none of this batch's forms."))
    rows: list[dict[str, Any]] = [
        {"d": d, "first": shown(d.item, d.first_value), "second": shown(d.item, d.second_value), "decided": shown(d.item, d.decided_value)}
        for d in disagreements_of(sample=sample)
    ]
    first_open = next((row["d"].pk for row in rows if row["d"].decided_at is None), None)  # the cursor starts there
    return render(
        request,
        "questionnaires/verification_compare.html",
        {
            "sample": sample,
            "rows": rows,
            "rates": error_rates(sample=sample),
            "choices": Disagreement.Choice.choices,
            "first_open": first_open,
            "entry_stage_refusal": paper_stage_refusal(sample.instrument.round),
        },
    )


@require_POST
@require_perm("questionnaires.manage")
def disagreement_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disagreements = Disagreement.objects.select_related("form__sample")
    disagreement = get_visible_or_404(county_filtered(request.user, disagreements, "form__sample__batch__county"), pk=pk)
    try:
        disagreement_decide(
            disagreement=disagreement, choice=request.POST.get("choice", ""), other=request.POST.get("other", ""), user=request.user
        )
    except EntryRefused as exc:
        messages.error(request, exc.message)
    return redirect("verification_compare", pk=disagreement.form.sample.batch_id)


def verification_panel(*, batch: ImportBatch) -> dict[str, Any]:
    """What the import page shows of the double entry (rates only: no value of either entry)."""
    sample = VerificationSample.objects.filter(batch=batch).first()
    rates = error_rates(sample=sample) if sample else None
    whole = sample is not None and rates is not None and rates.forms == batch.created
    instrument = Instrument.objects.select_related("round").filter(pk=int(batch.kind.rsplit(":", 1)[1])).first()
    return {
        "sample": sample,
        "rates": rates,
        "goal": VerificationSample.GOAL,
        "whole_batch_drawn": whole,
        "entry_stage_refusal": paper_stage_refusal(instrument.round) if instrument else "",
    }
