"""Double entry of paper forms (二次录入核查): a seeded sample of a paper import is entered a
second time by someone else, the two entries are compared field by field, a third person
decides every disagreement from the paper, and the error rate is held against a goal of ≤ 1 %.

The first entry is the import's response (its answers are the data in use); the second entry
is kept apart on its ``VerificationForm``; a decision writes the value decided into the data in
use, while both entries stay on the ``Disagreement``. Who may do what: the second enterer is
never the first (the batch's uploader), and sees none of the first's values; the decider is
neither.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring_site.audit import history_user
from monitoring_site.double_entry import SHARE, ErrorRates, error_rates_of, needs_full_entry, sample_draw
from monitoring_site.errors import Refused
from monitoring_site.spreadsheets import RowError, SpreadsheetError, read_table
from rounds.models import ImportBatch

from .answers import AnswerInvalid, clean_value, visible_codes
from .exports import PAPER_CODE_HEADER
from .imports import paper_columns, paper_form_check
from .models import Answer, Disagreement, Instrument, Item, Response, VerificationForm, VerificationSample
from .services import normalise_code, paper_stage_refusal


class EntryRefused(Refused):
    """The user may not do this step of the double entry (the message says why)."""


# --- the draw (pure) ---------------------------------------------------------------------


def _batch_forms(batch: ImportBatch) -> dict[Hashable, list[int]]:
    by_school: dict[Hashable, list[int]] = defaultdict(list)
    for pk, school in Response.objects.filter(import_batch=batch).values_list("pk", "access_code__sampled_school_id"):
        by_school[school or "county"].append(pk)
    return by_school


def sample_replay(*, sample: VerificationSample) -> list[int]:
    """The response ids the recorded seed draws from the batch's forms today."""
    return sample_draw(forms_by_school=_batch_forms(sample.batch), seed=sample.seed, share=sample.share)


# --- writes ------------------------------------------------------------------------------


@transaction.atomic
def verification_sample_draw(*, batch: ImportBatch, user: User, seed: int | None = None) -> VerificationSample:
    """Draw and record the forms of an imported paper batch that are entered a second time."""
    if batch.status != ImportBatch.Status.DONE or not batch.kind.startswith("questionnaire_paper:"):
        raise EntryRefused(_("Only an imported batch of paper forms can be checked by double entry."))
    if VerificationSample.objects.filter(batch=batch).exists():
        raise EntryRefused(_("This batch already has its verification sample."))
    _require_stage(Instrument.objects.select_related("round").get(pk=int(batch.kind.rsplit(":", 1)[1])))
    forms = _batch_forms(batch)
    if not forms:
        raise EntryRefused(_("This batch holds no forms."))
    seed = secrets.randbelow(2**31) if seed is None else seed
    sample = VerificationSample(batch=batch, instrument_id=int(batch.kind.rsplit(":", 1)[1]), seed=seed, share=SHARE, drawn_by=user)
    history_user(sample, user)
    sample.save()
    for pk in sample_draw(forms_by_school=forms, seed=seed):
        form = VerificationForm(sample=sample, response_id=pk)
        history_user(form, user)
        form.save()
    return sample


def _require_stage(instrument: Instrument) -> None:
    if refusal := paper_stage_refusal(instrument.round):
        raise EntryRefused(refusal)


def _may_enter(sample: VerificationSample, user: User) -> None:
    _require_stage(sample.instrument)
    if user.pk == sample.batch.uploaded_by_id:
        raise EntryRefused(_("You entered this batch the first time; the second entry must be made by someone else."))


def _first_values(form: VerificationForm) -> dict[str, Any]:
    return dict(Answer.objects.filter(response=form.response).values_list("item__code", "value"))


@transaction.atomic
def second_entry_save(*, form: VerificationForm, values: Mapping[str, Any], user: User) -> int:
    """Keep the second entry (checked values by item code) apart from the first, compare the two
    field by field and record every disagreement; returns the number of disagreements."""
    form = VerificationForm.objects.select_for_update().select_related("sample__batch").get(pk=form.pk)
    _may_enter(form.sample, user)
    if form.entered_at is not None:
        raise EntryRefused(_("This form has already been entered a second time."))
    items = list(form.sample.instrument.items.all())
    second = {k: v for k, v in values.items() if k in visible_codes(items, values) and v not in (None, "", [])}
    first = _first_values(form)
    compared = visible_codes(items, first) | visible_codes(items, second)
    disagreements = [
        Disagreement(form=form, item=item, first_value=first.get(item.code), second_value=second.get(item.code))
        for item in items
        if item.code in compared and first.get(item.code) != second.get(item.code)
    ]
    for d in disagreements:
        history_user(d, user)
        d.save()
    form.second_values, form.entered_by, form.entered_at, form.fields_compared = second, user, timezone.now(), len(compared)
    history_user(form, user)
    form.save()
    _flag(form.sample, user)
    return len(disagreements)


# --- the second workbook: the drawn forms typed into the paper-forms template ----------------

# The uploads are kept as imports of this kind, "double_entry:<the paper import's pk>" (never
# "questionnaire_paper…": they are no paper import of their own).
WORKBOOK_KIND = "double_entry"


@dataclass(frozen=True)
class WorkbookRow:
    number: int  # the sheet's row
    form: VerificationForm
    answers: dict[str, Any]


def second_workbook_check(*, sample: VerificationSample, data: bytes, name: str) -> tuple[list[WorkbookRow], list[RowError], list[str]]:
    """A filled-in workbook of the drawn forms, every row checked as the paper import checks one
    (``paper_form_check``: required questions, skip logic, ranges, options); a row must be a
    form of the sample awaiting its second entry, once. A row with no answer typed is left for a
    later entry (noted). Returns (the rows, every error with its row and column, the notes)."""
    try:
        table = read_table(data, name=name, columns=paper_columns(sample.instrument), max_rows=5000)
    except SpreadsheetError as exc:
        return [], [RowError(0, "", str(exc))], []
    errors, notes = list(table.errors), list(table.notes)
    items = list(sample.instrument.items.all())
    forms = {f.response.access_code.code: f for f in sample.forms.select_related("response__access_code")}
    seen: dict[str, int] = {}
    rows = []
    for number, values in table.rows:
        code = normalise_code(str(values.get("code") or ""))
        form = forms.get(code)
        problem = _not_drawn(values.get("code")) if form is None else _row_refusal(form, seen.get(code))
        if form is None or problem:
            errors.append(RowError(number, PAPER_CODE_HEADER, problem))
            continue
        seen[code] = number
        if all(values.get(i.code) is None for i in items):
            notes.append(_("Row %(row)s has no answer typed: its form is left for a later entry.") % {"row": number})
            continue
        answers, problems = paper_form_check(items, values)
        errors += [RowError(number, column, message) for column, message in problems.items()]
        rows.append(WorkbookRow(number, form, answers))
    if not rows and not errors:
        errors.append(RowError(0, "", _("The workbook holds no form typed in.")))
    return rows, errors, notes


def _not_drawn(code: Any) -> str:
    return _("No form drawn for this double entry has the code “%(code)s”.") % {"code": code or ""}


def _row_refusal(form: VerificationForm, seen_in: int | None) -> str:
    if seen_in is not None:
        return _("The code is already in row %(row)s.") % {"row": seen_in}
    if form.entered_at is not None:
        return _("This form has already been entered a second time.")
    return ""


def second_workbook_import(*, sample: VerificationSample, upload: UploadedFile, user: User) -> tuple[ImportBatch, int]:
    """Keep the uploaded workbook as an import and, when every row is right, store each row by
    ``second_entry_save`` (the quick entry's comparison, disagreements, rates and flag), all
    in one transaction: the whole file or nothing. Returns the import, which says what became
    of it (its errors with row and column), and the number of fields that disagree."""
    _may_enter(sample, user)
    data = upload.read()
    batch = ImportBatch.objects.create(
        kind=f"{WORKBOOK_KIND}:{sample.batch_id}",
        county_id=sample.batch.county_id,
        file=upload,
        original_name=(upload.name or "")[:200],
        uploaded_by=user,
        status=ImportBatch.Status.RUNNING,
    )
    rows, errors, batch.notes = second_workbook_check(sample=sample, data=data, name=batch.original_name)
    disagreeing = 0
    if not errors:
        try:
            with transaction.atomic():
                for row in rows:
                    try:
                        disagreeing += second_entry_save(form=row.form, values=row.answers, user=user)
                    except EntryRefused as exc:  # e.g. entered in the browser meanwhile
                        errors.append(RowError(row.number, PAPER_CODE_HEADER, exc.message))
                        raise
        except EntryRefused:
            disagreeing = 0
    batch.rows_total = len({r.number for r in rows} | {e.row for e in errors if e.row})
    if errors:
        batch.status, batch.errors = ImportBatch.Status.FAILED, [e.as_dict() for e in errors[:500]]
    else:
        batch.status, batch.created = ImportBatch.Status.DONE, len(rows)
    batch.progress, batch.finished_at = 100, timezone.now()
    batch.save()
    return batch, disagreeing


def _covers_all(sample: VerificationSample) -> bool:
    return sample.forms.count() == Response.objects.filter(import_batch=sample.batch_id).count()


def _flag(sample: VerificationSample, user: User) -> None:
    flagged = needs_full_entry(flagged=sample.needs_full_entry, rates=error_rates(sample=sample), covers_all=_covers_all(sample))
    if flagged != sample.needs_full_entry:
        sample.needs_full_entry = flagged
        history_user(sample, user)
        sample.save(update_fields=["needs_full_entry"])


@transaction.atomic
def verification_sample_extend(*, sample: VerificationSample, user: User) -> int:
    """Full double entry of a flagged batch: every form not yet drawn joins the sample; returns
    how many. The batch stays out of the results until they are all entered and decided."""
    sample = VerificationSample.objects.select_for_update().get(pk=sample.pk)
    _require_stage(sample.instrument)
    if not sample.needs_full_entry:
        raise EntryRefused(_("Only a batch flagged for full double entry is entered twice in full."))
    drawn = set(sample.forms.values_list("response_id", flat=True))
    added = 0
    for pk in Response.objects.filter(import_batch=sample.batch_id).exclude(pk__in=drawn).values_list("pk", flat=True):
        form = VerificationForm(sample=sample, response_id=pk)
        history_user(form, user)
        form.save()
        added += 1
    return added


def _may_decide(disagreement: Disagreement, user: User) -> None:
    form = disagreement.form
    _require_stage(form.sample.instrument)
    if user.pk in (form.sample.batch.uploaded_by_id, *entered_by(sample=form.sample)):
        raise EntryRefused(_("Disagreements are decided by a third person, who entered none of this batch's forms."))


@transaction.atomic
def disagreement_decide(*, disagreement: Disagreement, choice: str, other: str = "", user: User) -> Disagreement:
    """Record the third person's decision from the paper and put the value decided into the
    data in use (the response's answer and its indicators); both entries stay as they were."""
    from .services import indicators_compute

    related = ("form__sample__batch", "item", "form__response")
    disagreement = Disagreement.objects.select_for_update().select_related(*related).get(pk=disagreement.pk)
    _may_decide(disagreement, user)
    item = disagreement.item
    if choice == Disagreement.Choice.FIRST:
        value = disagreement.first_value
    elif choice == Disagreement.Choice.SECOND:
        value = disagreement.second_value
    elif choice == Disagreement.Choice.OTHER:
        try:
            value = clean_value(item, other.replace("；", ";").split(";"))
        except AnswerInvalid as exc:
            raise EntryRefused(exc.message) from None
    else:
        raise EntryRefused(_("Choose which value the paper form holds."))
    disagreement.choice, disagreement.decided_value = choice, value
    disagreement.decided_by, disagreement.decided_at = user, timezone.now()
    history_user(disagreement, user)
    disagreement.save()
    response = disagreement.form.response
    if value in (None, "", []):
        Answer.objects.filter(response=response, item=item).delete()
    else:
        Answer.objects.update_or_create(response=response, item=item, defaults={"value": value, "saved_at": timezone.now()})
    indicators_compute(response=response)
    _flag(disagreement.form.sample, user)
    return disagreement


# --- reads -------------------------------------------------------------------------------


def entered_by(*, sample: VerificationSample) -> set[int]:
    return set(sample.forms.exclude(entered_by=None).values_list("entered_by_id", flat=True))


def error_rates(*, sample: VerificationSample) -> ErrorRates:
    """Disagreeing fields ÷ fields compared, overall and by enterer (``error_rates_of``)."""
    forms = [f for f in sample.forms.select_related("entered_by") if f.entered_at is not None]
    decisions = Disagreement.objects.filter(form__sample=sample).values_list("form_id", "choice", "decided_at")
    return error_rates_of(
        first=sample.batch.uploaded_by,
        forms=sample.forms.count(),
        entered=[(f.pk, f.entered_by, f.fields_compared) for f in forms if f.entered_by is not None],
        disagreements=[(form, choice if at else None) for form, choice, at in decisions],
    )


def forms_of(*, sample: VerificationSample) -> QuerySet[VerificationForm]:
    return sample.forms.select_related("response__access_code__sampled_school__school", "entered_by")


def disagreements_of(*, sample: VerificationSample) -> QuerySet[Disagreement]:
    return Disagreement.objects.filter(form__sample=sample).select_related(
        "item", "decided_by", "form__response__access_code__sampled_school__school"
    )


def entry_items(*, instrument: Instrument) -> list[Item]:
    return list(instrument.items.select_related("section").order_by("order"))


@dataclass(frozen=True)
class BatchCheck:
    """One imported paper batch of a round, with its double entry (if any) as the report states it."""

    batch: ImportBatch
    instrument: Instrument
    sample: VerificationSample | None
    rates: ErrorRates | None

    @property
    def status(self) -> str:
        """ "unchecked", "open" (second entries or decisions missing), "flagged", "full" (every
        form entered twice and decided after a rate above the goal) or "meets"."""
        if self.sample is None or self.rates is None:
            return "unchecked"
        if self.sample.needs_full_entry:
            return "flagged"
        if not self.rates.complete or self.rates.undecided:
            return "open"
        return "meets" if self.rates.meets_goal else "full"


def double_entry_summary(*, rnd) -> list[BatchCheck]:
    """Every imported paper batch of the round's instruments, oldest first, with its rates."""
    instruments = {i.pk: i for i in Instrument.objects.filter(round=rnd)}
    batches = ImportBatch.objects.filter(
        kind__in=[f"questionnaire_paper:{pk}" for pk in instruments], status=ImportBatch.Status.DONE
    ).order_by("created_at")
    samples = {s.batch_id: s for s in VerificationSample.objects.filter(batch__in=batches).select_related("batch__uploaded_by")}
    checks = []
    for batch in batches:
        sample = samples.get(batch.pk)
        rates = error_rates(sample=sample) if sample else None
        checks.append(BatchCheck(batch, instruments[int(batch.kind.rsplit(":", 1)[1])], sample, rates))
    return checks
