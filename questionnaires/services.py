"""Writes: instruments, access codes, answering, submitting, indicators. Keyword-only, atomic."""

from __future__ import annotations

import datetime as dt
import functools
import secrets

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring_site import pagecache
from rounds.models import Round, Stage
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
    user,
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
    instrument._history_user = user
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
def instrument_install_defaults(*, rnd: Round, user) -> list[Instrument]:
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


@functools.lru_cache(maxsize=64)
def instrument_items(instrument_id: int) -> dict[str, Item]:
    """An instrument's items by code. Items never change once stored (a new definition is a new
    version), so each process may keep them."""
    return {item.code: item for item in Item.objects.filter(instrument_id=instrument_id)}


def current_instrument(*, rnd: Round, kind: str) -> Instrument | None:
    return Instrument.objects.filter(round=rnd, kind=kind).order_by("-version").first()


# --- access codes --------------------------------------------------------------------------------


@transaction.atomic
def access_codes_generate(*, rnd: Round, teachers_per_school: int, county_codes: int, user) -> int:
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


@functools.lru_cache(maxsize=8192)
def _response_of(access_code_id: int) -> tuple[int, int]:
    """(response, instrument) ids of a code's response. Neither changes once the response exists,
    so each process may keep them; before it exists NotStarted is raised (and nothing kept)."""
    row = Response.objects.filter(access_code_id=access_code_id).values_list("pk", "instrument_id").first()
    if row is None:
        raise NotStarted
    return row


def _round_takes_answers(now: dt.datetime) -> Exists:
    """The response's round is open at ``now`` (``questionnaires_open``, in SQL)."""
    return Exists(
        AccessCode.objects.filter(pk=OuterRef("access_code_id"))
        .exclude(round__stage=Stage.CLOSED)
        .filter(Q(round__closes_at__isnull=True) | Q(round__closes_at__gt=now))
    )


def answer_save(*, access_code_id: int, item_code: str, raw: list[str], now: dt.datetime, retry: bool = True) -> tuple[Item, object]:
    """Check and keep one answer: one row per response and item, whatever the timing.

    Four round trips on the hot path (BEGIN, UPDATE, upsert, COMMIT). The UPDATE of the response
    row takes its lock and re-checks ``submitted_at IS NULL`` and the round's closing under it,
    so saves and the submit of one response run one after another and nothing is saved after a
    submit or once the questionnaire is closed. It names the code and the instrument too, so an
    id kept by ``_response_of`` can only ever match its own row."""
    response_id, instrument_id = _response_of(access_code_id)
    item = instrument_items(instrument_id).get(item_code)
    if item is None:
        raise UnknownItem
    try:
        value = clean_value(item, raw)
    except AnswerInvalid:
        _refuse(access_code_id=access_code_id, now=now, kept=(response_id, instrument_id), closed_only=True)
        raise
    if connection.vendor == "postgresql":
        kept = _save_in_one_statement(ids=(response_id, access_code_id, instrument_id), item=item, value=value, now=now)
        if kept:
            return item, value
    else:
        with transaction.atomic():
            still_open = Response.objects.filter(
                _round_takes_answers(now),
                pk=response_id,
                access_code_id=access_code_id,
                instrument_id=instrument_id,
                submitted_at__isnull=True,
            )
            if still_open.update(last_saved_at=now):
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
    if _refuse(access_code_id=access_code_id, now=now, kept=(response_id, instrument_id)) and retry:
        return answer_save(access_code_id=access_code_id, item_code=item_code, raw=raw, now=now, retry=False)
    raise AnswerInvalid(_("This questionnaire has been submitted; answers can no longer be changed."))


@functools.cache
def _one_statement_sql(kind: str) -> str:
    """The autosave as one PostgreSQL statement (its own transaction): the UPDATE that locks the
    response and checks it is open (the same conditions as the ORM path beside it), and the
    answer's upsert (``kind="keep"``) or removal (``"clear"``) fed by the UPDATE's row — nothing
    is written to the answers unless the response was open. Returns how many responses were open.
    Written by hand for the hot path of test day: one round trip instead of four, and no query
    compiled per save."""
    t = {m.__name__: connection.ops.quote_name(m._meta.db_table) for m in (Response, Answer, AccessCode, Round)}
    answer = (
        f"INSERT INTO {t['Answer']} (response_id, item_id, value, saved_at) SELECT id, %(item)s, %(value)s, %(now)s FROM open "  # noqa: S608
        "ON CONFLICT (response_id, item_id) DO UPDATE SET value = EXCLUDED.value, saved_at = EXCLUDED.saved_at RETURNING 1"
        if kind == "keep"
        else f"DELETE FROM {t['Answer']} WHERE item_id = %(item)s AND response_id IN (SELECT id FROM open) RETURNING 1"  # noqa: S608
    )
    return (
        f"WITH open AS (UPDATE {t['Response']} r SET last_saved_at = %(now)s "  # noqa: S608 - table names from the models
        "WHERE r.id = %(response)s AND r.access_code_id = %(code)s AND r.instrument_id = %(instrument)s AND r.submitted_at IS NULL "
        f"AND EXISTS (SELECT 1 FROM {t['AccessCode']} c JOIN {t['Round']} d ON d.id = c.round_id "
        "WHERE c.id = r.access_code_id AND d.stage <> %(closed)s AND (d.closes_at IS NULL OR d.closes_at > %(now)s)) "
        f"RETURNING r.id), written AS ({answer}) SELECT count(*) FROM open"
    )


def _save_in_one_statement(*, ids: tuple[int, int, int], item: Item, value, now: dt.datetime) -> bool:
    response_id, access_code_id, instrument_id = ids
    from psycopg import Cursor
    from psycopg.types.json import Jsonb  # PostgreSQL only (this path's only caller)

    params = {"now": now, "response": response_id, "code": access_code_id, "instrument": instrument_id, "item": item.pk,
              "closed": Stage.CLOSED, "value": None if value is None else Jsonb(value)}
    # psycopg's own cursor, not Django's: the statement is prepared once per connection and then
    # only executed with its values (Django's cursors send the whole text, values written in, to
    # be parsed and planned each time). It passes no execute wrapper, so the kept pages are told
    # of its tables by hand; Django's error wrapper still translates its errors.
    connection.ensure_connection()
    with connection.wrap_database_errors, Cursor(connection.connection) as cursor:
        cursor.execute(_one_statement_sql("clear" if value is None else "keep"), params, prepare=True)
        opened = cursor.fetchone()[0] > 0
    pagecache.tables_written({Response._meta.db_table, Answer._meta.db_table})
    return opened


def _refuse(*, access_code_id: int, now: dt.datetime, kept: tuple[int, int], closed_only: bool = False) -> bool:
    """Why an answer cannot be kept, read from the rows as they are now: raises NotStarted or
    QuestionnaireClosed; True when the kept ids were out of date (forgotten: try again)."""
    row = (
        Response.objects.filter(access_code_id=access_code_id)
        .values_list("pk", "instrument_id", "access_code__round__closes_at", "access_code__round__stage")
        .first()
    )
    if row is None:
        _response_of.cache_clear()
        raise NotStarted
    response_id, instrument_id, closes_at, stage = row
    if stage == Stage.CLOSED or (closes_at is not None and now >= closes_at):
        raise QuestionnaireClosed
    if (response_id, instrument_id) != kept and not closed_only:
        _response_of.cache_clear()
        return True
    return False


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
def response_finish(*, response: Response, items: list[Item], answers: dict, now: dt.datetime, user=None) -> None:
    """Mark a response submitted: drop answers the skip logic hides, store its indicators."""
    # Answers to questions the skip logic hides are dropped: the kept response is consistent.
    shown = visible_codes(items, answers)
    hidden = [i.pk for i in items if i.code not in shown]
    response.answers.filter(item_id__in=hidden).delete()
    response.submitted_at = now
    response._history_user = user
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
    rows: list[dict[str, object]],
    user,
    now: dt.datetime | None = None,
) -> int:
    """Store checked paper forms (code → answers by item code) as submitted responses."""
    now = now or timezone.now()
    items = list(instrument.items.all())
    by_code = {i.code: i for i in items}
    for values in rows:
        access_code = access_codes[values["code"]]
        response = Response(
            access_code=access_code,
            instrument=instrument,
            source=Response.Source.PAPER,
            last_saved_at=now,
        )
        response._history_user = user
        response.save()
        answers = {k: v for k, v in values["answers"].items() if v is not None}
        Answer.objects.bulk_create(Answer(response=response, item=by_code[k], value=v, saved_at=now) for k, v in answers.items())
        response_finish(response=response, items=items, answers=answers, now=now, user=user)
    return len(rows)
