"""Writes: instruments, access codes, answering, submitting, indicators. Keyword-only, atomic."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring_site.audit import history_user
from monitoring_site.errors import Refused
from rounds.models import ImportBatch, Round, Stage
from sampling.selectors import sampled_schools

from . import expressions
from .answers import AnswerInvalid, clean_value, missing_required, visible_codes
from .defaults import KINDS, default_definition
from .definition import Definition
from .models import (
    AccessCode,
    Answer,
    IndicatorRule,
    IndicatorValue,
    Instrument,
    Item,
    Kind,
    Response,
    Section,
)

# No 0/O, 1/I/L: nothing a respondent can misread on a printed slip.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10 ≈ 8·10^14 codes: guessing one is impractical, even without the limiter


class QuestionnaireClosed(Exception):
    pass


class NotReady(Exception):
    pass


def questionnaires_open(*, rnd: Round, now: dt.datetime) -> bool:
    if rnd.stage == Stage.CLOSED:
        return False
    return rnd.closes_at is None or now < rnd.closes_at


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _new_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


# --- instruments ---------------------------------------------------------------------------------


@transaction.atomic
def instrument_create(
    *,
    rnd: Round,
    kind: str,
    title: str,
    definition: Definition,
    user: User | None,
    intro: str = "",
    source_name: str = "",
) -> Instrument:
    """Store a checked definition as the next version of the round's ``kind`` instrument."""
    latest = Instrument.objects.select_for_update().filter(round=rnd, kind=kind).order_by("-version").first()
    instrument = Instrument(
        round=rnd,
        kind=kind,
        version=(latest.version + 1) if latest else 1,
        title=title,
        intro=intro,
        source_name=source_name,
        created_by=user,
    )
    history_user(instrument, user)
    instrument.save()
    sections = {}
    for order, section in enumerate(definition.sections, start=1):
        sections[section.code] = Section.objects.create(instrument=instrument, order=order, code=section.code, title=section.title)
    Item.objects.bulk_create(
        Item(
            instrument=instrument,
            section=sections[i.section],
            order=order,
            code=i.code,
            type=i.type,
            label=i.label,
            hint=i.hint,
            required=i.required,
            choices=i.choices,
            min_value=i.min_value,
            max_value=i.max_value,
            decimals=i.decimals,
            unit=i.unit,
            show_if_item=i.show_if_item,
            show_if_values=i.show_if_values,
            grid=i.grid,
            grid_label=i.grid_label,
        )
        for order, i in enumerate(definition.items, start=1)
    )
    IndicatorRule.objects.bulk_create(
        IndicatorRule(
            instrument=instrument,
            order=order,
            code=d.code,
            label=d.label,
            unit=d.unit,
            calculation=d.calculation,
        )
        for order, d in enumerate(definition.indicators, start=1)
    )
    return instrument


@transaction.atomic
def instrument_install_defaults(*, rnd: Round, user: User | None) -> list[Instrument]:
    """Install the shipped Chinese instruments for every kind the round does not have yet."""
    created = []
    have = set(Instrument.objects.filter(round=rnd).values_list("kind", flat=True))
    for kind in KINDS:
        if kind in have:
            continue
        meta, definition = default_definition(kind)
        created.append(
            instrument_create(
                rnd=rnd,
                kind=kind,
                title=meta["title"],
                intro=meta["intro"],
                definition=definition,
                user=user,
                source_name=f"{kind}.json",
            )
        )
    return created


def current_instrument(*, rnd: Round, kind: str) -> Instrument | None:
    return Instrument.objects.filter(round=rnd, kind=kind).order_by("-version").first()


# --- access codes --------------------------------------------------------------------------------


@transaction.atomic
def access_codes_generate(*, rnd: Round, teachers_per_school: int, county_codes: int, user: User | None) -> int:
    """Make sure every sampled school has ``teachers_per_school`` teacher codes and a principal
    code, every sampled student (not excluded) a code, and the county ``county_codes`` codes.
    Running it again only adds what is missing; codes already handed out never change."""
    taken = set(AccessCode.objects.values_list("code", flat=True))
    new: list[AccessCode] = []

    def add(kind, school, serial, student=None):
        new.append(
            AccessCode(
                round=rnd,
                kind=kind,
                sampled_school=school,
                serial=serial,
                student=student,
                code=_new_code(taken),
            )
        )

    existing: dict[tuple, int] = {}
    for school_id, kind, serial in AccessCode.objects.filter(round=rnd).values_list("sampled_school_id", "kind", "serial"):
        existing[(school_id, kind)] = max(existing.get((school_id, kind), 0), serial)
    has_code = set(AccessCode.objects.filter(round=rnd, student__isnull=False).values_list("student_id", flat=True))
    for school in sampled_schools(rnd=rnd).prefetch_related("students"):
        for serial in range(existing.get((school.pk, Kind.TEACHER), 0) + 1, teachers_per_school + 1):
            add(Kind.TEACHER, school, serial)
        if not existing.get((school.pk, Kind.PRINCIPAL)):
            add(Kind.PRINCIPAL, school, 1)
        serial = existing.get((school.pk, Kind.STUDENT), 0)
        for student in sorted(school.students.all(), key=lambda s: s.monitoring_id):
            if student.pk not in has_code and not student.exclusion:
                serial += 1
                add(Kind.STUDENT, school, serial, student)
    for serial in range(existing.get((None, Kind.COUNTY), 0) + 1, county_codes + 1):
        add(Kind.COUNTY, None, serial)
    AccessCode.objects.bulk_create(new)
    return len(new)


def access_code_find(*, code: str) -> AccessCode | None:
    text = normalise_code(code)
    if len(text) != CODE_LENGTH:
        return None
    return AccessCode.objects.select_related("round", "sampled_school__school", "student").filter(code=text).first()


# --- answering -----------------------------------------------------------------------------------


@transaction.atomic
def response_open(*, access_code: AccessCode, now: dt.datetime) -> Response:
    """The code's response, started now if it was never opened (resuming keeps its answers)."""
    try:
        return access_code.response
    except Response.DoesNotExist:
        pass
    if not questionnaires_open(rnd=access_code.round, now=now):
        raise QuestionnaireClosed
    instrument = current_instrument(rnd=access_code.round, kind=access_code.kind)
    if instrument is None:
        raise NotReady
    response, _created = Response.objects.get_or_create(access_code=access_code, defaults={"instrument": instrument})
    return response


class NotStarted(Exception):
    """The code has no response yet: the questionnaire must be opened first."""


class UnknownItem(Exception):
    """No such item in the respondent's instrument."""


def _round_takes_answers(now: dt.datetime) -> Exists:
    """The response's round is open at ``now`` (``questionnaires_open``, in SQL)."""
    return Exists(
        AccessCode.objects.filter(pk=OuterRef("access_code_id"))
        .exclude(round__stage=Stage.CLOSED)
        .filter(Q(round__closes_at__isnull=True) | Q(round__closes_at__gt=now))
    )


@transaction.atomic
def answer_save(*, access_code_id: int, item_code: str, raw: list[str], now: dt.datetime) -> tuple[Item, object]:
    """Check and keep one answer: one row per response and item, whatever the timing.

    The UPDATE of the response row takes its lock and checks, under it, that the response is not
    submitted and its round still takes answers; only then is the answer written. So saves and
    the submit of one response run one after another, and nothing is saved after a submit or
    once the questionnaire is closed."""
    # The item and the response in one query: a save is test day's most frequent request.
    item = (
        Item.objects.filter(code=item_code, instrument__responses__access_code_id=access_code_id)
        .annotate(response_pk=F("instrument__responses__pk"))
        .first()
    )
    if item is None:
        raise UnknownItem if Response.objects.filter(access_code_id=access_code_id).exists() else NotStarted
    response_id = item.response_pk  # the annotation above
    open_response = Response.objects.filter(_round_takes_answers(now), pk=response_id, submitted_at__isnull=True)
    try:
        value = clean_value(item, raw)
    except AnswerInvalid:
        if not open_response.exists():
            _refuse(response_id=response_id, now=now)
        raise
    if not open_response.update(last_saved_at=now):
        _refuse(response_id=response_id, now=now)
    if value is None:
        Answer.objects.filter(response_id=response_id, item=item).delete()
    else:
        Answer.objects.bulk_create(
            [Answer(response_id=response_id, item=item, value=value, saved_at=now)],
            update_conflicts=True,
            unique_fields=["response", "item"],
            update_fields=["value", "saved_at"],
        )
    return item, value


def _refuse(*, response_id: int, now: dt.datetime) -> None:
    """Why an answer cannot be kept: the questionnaire is closed, or the response submitted."""
    rnd = Round.objects.get(access_codes__response__pk=response_id)
    if not questionnaires_open(rnd=rnd, now=now):
        raise QuestionnaireClosed
    raise AnswerInvalid(_("This questionnaire has been submitted; answers can no longer be changed."))


def answers_of(response: Response) -> dict[str, object]:
    return dict(response.answers.values_list("item__code", "value"))


@transaction.atomic
def response_submit(*, response_id: int, now: dt.datetime) -> list[Item]:
    """End the response. Returns the required items still unanswered (then nothing changes).
    Submitting twice is harmless: the second call finds it submitted and returns no problems."""
    response = Response.objects.select_for_update().select_related("access_code__round").get(pk=response_id)
    if response.is_submitted:
        return []
    if not questionnaires_open(rnd=response.access_code.round, now=now):
        raise QuestionnaireClosed
    items = list(response.instrument.items.all())
    answers = answers_of(response)
    missing = missing_required(items, answers)
    if missing:
        return missing
    response_finish(response=response, items=items, answers=answers, now=now)
    return []


@transaction.atomic
def response_finish(*, response: Response, items: list[Item], answers: dict, now: dt.datetime, user: User | None = None) -> None:
    """Mark a response submitted: drop answers the skip logic hides, store its indicators."""
    # Answers to questions the skip logic hides are dropped: the kept response is consistent.
    shown = visible_codes(items, answers)
    hidden = [i.pk for i in items if i.code not in shown]
    response.answers.filter(item_id__in=hidden).delete()
    response.submitted_at = now
    history_user(response, user)
    response.save(update_fields=["submitted_at"])
    indicators_compute(response=response, answers={k: v for k, v in answers.items() if k in shown})


def indicators_compute(*, response: Response, answers: dict | None = None) -> int:
    """Store the instrument's indicators for this respondent (missing inputs give no value)."""
    if answers is None:
        answers = answers_of(response)
    school = response.access_code.sampled_school
    context = {**answers, "grade": school.grade if school else None}
    rows = []
    for rule in response.instrument.indicators.all():
        value = expressions.evaluate(rule.calculation, context)
        if value is not None:
            rows.append(IndicatorValue(response=response, code=rule.code, value=value))
    IndicatorValue.objects.filter(response=response).delete()
    IndicatorValue.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def paper_responses_store(
    *,
    access_codes: dict[str, AccessCode],
    instrument: Instrument,
    rows: list[dict[str, Any]],
    user: User,
    batch: ImportBatch | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Store checked paper forms (code → answers by item code) as submitted responses, each
    remembering the import that entered it (its first entry)."""
    now = now or timezone.now()
    items = list(instrument.items.all())
    by_code = {i.code: i for i in items}
    for values in rows:
        access_code = access_codes[values["code"]]
        response = Response(
            access_code=access_code,
            instrument=instrument,
            source=Response.Source.PAPER,
            import_batch=batch,
            last_saved_at=now,
        )
        history_user(response, user)
        response.save()
        answers = {k: v for k, v in values["answers"].items() if v is not None}
        Answer.objects.bulk_create(Answer(response=response, item=by_code[k], value=v, saved_at=now) for k, v in answers.items())
        response_finish(response=response, items=items, answers=answers, now=now, user=user)
    return len(rows)


# --- imports -------------------------------------------------------------------------------------


@transaction.atomic
def instrument_import(*, rnd: Round, kind: str, title: str, upload, user) -> tuple[Instrument | None, ImportBatch]:
    """Read an uploaded definition workbook; keep the file and its outcome as a batch, and
    store the definition as the next version of ``kind`` when it has no error."""
    from .imports import DEFINITION_KIND, definition_read

    data = upload.read()
    upload.seek(0)
    definition, errors, notes = definition_read(data, name=upload.name)
    batch = ImportBatch.objects.create(
        kind=DEFINITION_KIND,
        county=rnd.county,
        file=upload,
        original_name=upload.name[:200],
        uploaded_by=user,
        finished_at=timezone.now(),
        progress=100,
        errors=errors[:500],
        notes=notes,
        status=ImportBatch.Status.FAILED if errors else ImportBatch.Status.DONE,
        rows_total=len(definition.items) if definition else 0,
        created=len(definition.items) if definition else 0,
    )
    if definition is None:
        return None, batch
    instrument = instrument_create(rnd=rnd, kind=kind, title=title, definition=definition, user=user, source_name=upload.name[:200])
    return instrument, batch


# Paper forms are entered, and entered a second time, until the results stage ends: from the
# rectification stage on, the county report built on the questionnaires stands.
PAPER_CLOSED_STAGES = {Stage.RECTIFICATION, Stage.CLOSED}


class PaperRefused(Refused):
    """A write of paper forms the round's stage no longer allows."""


def paper_stage_refusal(rnd: Round) -> str:
    """Why no paper form of ``rnd`` may be imported, entered a second time or decided now, or ""."""
    if rnd.stage not in PAPER_CLOSED_STAGES:
        return ""
    return _("In the stage “%(stage)s” paper forms can no longer be imported or entered again: the report built on them stands.") % {
        "stage": rnd.get_stage_display()
    }


@transaction.atomic
def paper_import_start(*, instrument: Instrument, upload, user, language: str) -> ImportBatch:
    """Keep the file of paper forms; it is checked and stored by a task queued on commit."""
    from .imports import PAPER_KIND
    from .tasks import paper_import

    if refusal := paper_stage_refusal(instrument.round):
        raise PaperRefused(refusal)
    batch = ImportBatch.objects.create(
        kind=f"{PAPER_KIND}:{instrument.pk}",
        county=instrument.round.county,
        file=upload,
        original_name=upload.name[:200],
        uploaded_by=user,
    )
    transaction.on_commit(lambda: paper_import.delay(batch.pk, language))
    return batch
