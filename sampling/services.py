"""Writes of the sampling slice: the frame, the recorded school draws and replacements.

Student-side writes (rosters, the student draw, exclusions, PE exemptions) are in
``sampling/students.py``. Both refuse what the round's stage does not allow.
"""

from __future__ import annotations

from fractions import Fraction
from typing import cast

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from monitoring_site.audit import history_user
from monitoring_site.errors import Refused
from rounds.models import GRADES, ImportBatch, Round, School, Stage, grade_label

from .design import DEFAULT_SORT_KEYS, FrameUnit, pps_systematic
from .models import FrameSchool, SampledSchool, SamplingPlan, SchoolDraw

DEFAULT_N = {4: 12, 8: 8}
SORT_ORDERS: dict[str, tuple[str, ...]] = {
    "location,school_type,size": DEFAULT_SORT_KEYS,
    "school_type,location,size": ("school_type", "location", "size"),
    "location,size": ("location", "size"),
    "size": ("size",),
}


class SamplingError(Refused):
    """A sampling step the round's state does not allow; the message is for the user."""


def stage_refusal(rnd: Round, *stages: str) -> str:
    """Why this cannot be done in the round's stage, or "" (asked by the page and the write)."""
    if rnd.stage not in stages:
        return _("The round is in the “%(stage)s” stage, where this cannot be done.") % {"stage": rnd.get_stage_display()}
    return ""


def require_stage(rnd: Round, *stages: str) -> None:
    refusal = stage_refusal(rnd, *stages)
    if refusal:
        raise SamplingError(refusal)


REPLACEMENT_STAGES = (Stage.SAMPLING, Stage.PREPARATION)


def plan_for(rnd: Round) -> SamplingPlan:
    plan, _created = SamplingPlan.objects.get_or_create(round=rnd)
    return plan


def _grade_enrolment_field(grade: int) -> str:
    if grade not in GRADES:
        raise SamplingError(_("Only grades 4 and 8 are monitored."))
    return f"grade{grade}"


@transaction.atomic
def frame_build(*, rnd: Round, user: User) -> int:
    """Add every active school of the county that holds grade 4 or 8; returns how many were added.

    Enrolments already in the frame are kept; new schools start at 0 until imported.
    """
    require_stage(rnd, Stage.SAMPLING)
    plan = SamplingPlan.objects.select_for_update().get(pk=plan_for(rnd).pk)
    if plan.is_frozen:
        raise SamplingError(_("The frame is frozen: the school draw has been confirmed."))
    present = set(plan.schools.values_list("school_id", flat=True))
    new = [
        FrameSchool(plan=plan, school=school)
        for school in School.objects.filter(county=rnd.county, is_active=True).exclude(pk__in=present)
        if school.has_grade4 or school.has_grade8
    ]
    bulk_create_with_history(new, FrameSchool, default_user=user)
    if new:
        _bump_frame(plan, user)
    return len(new)


def _bump_frame(plan: SamplingPlan, user: User) -> None:
    plan.frame_version += 1
    history_user(plan, user)
    plan.save()


@transaction.atomic
def frame_update(*, rnd: Round, enrolments: dict[int, tuple[int, int]], user: User) -> tuple[int, int]:
    """Set the grade-4 and grade-8 enrolments of schools (by school id); adds missing ones.

    Returns (added, changed). The caller has checked that each school belongs to the county
    and holds the grades it has pupils in.
    """
    require_stage(rnd, Stage.SAMPLING)
    plan = SamplingPlan.objects.select_for_update().get(pk=plan_for(rnd).pk)
    if plan.is_frozen:
        raise SamplingError(_("The frame is frozen: the school draw has been confirmed."))
    existing = {fs.school_id: fs for fs in plan.schools.all()}
    new: list[FrameSchool] = []
    changed: list[FrameSchool] = []
    for school_id, (grade4, grade8) in enrolments.items():
        fs = existing.get(school_id)
        if fs is None:
            new.append(FrameSchool(plan=plan, school_id=school_id, grade4=grade4, grade8=grade8))
        elif (fs.grade4, fs.grade8) != (grade4, grade8):
            fs.grade4, fs.grade8 = grade4, grade8
            changed.append(fs)
    bulk_create_with_history(new, FrameSchool, default_user=user)
    bulk_update_with_history(changed, FrameSchool, ["grade4", "grade8"], default_user=user)
    if new or changed:
        _bump_frame(plan, user)
    return len(new), len(changed)


def frame_units(*, plan: SamplingPlan, grade: int) -> list[FrameUnit]:
    """The grade's population: frame schools that hold the grade (size 0 ones are left out by the draw)."""
    field = _grade_enrolment_field(grade)
    holds = "has_grade4" if grade == 4 else "has_grade8"
    return [
        FrameUnit(id=fs.school_id, size=getattr(fs, field), location=fs.school.location, school_type=fs.school.school_type)
        for fs in plan.schools.select_related("school").order_by("school__code")
        if getattr(fs.school, holds)
    ]


def current_draws(rnd: Round) -> dict[int, SchoolDraw]:
    """The current school draw of each grade that has one (the newest, should there be two)."""
    draws: dict[int, SchoolDraw] = {}
    for draw in rnd.school_draws.filter(is_current=True).order_by("grade", "-drawn_at"):
        draws.setdefault(draw.grade, draw)
    return draws


def current_draw(rnd: Round, grade: int) -> SchoolDraw | None:
    return current_draws(rnd).get(grade)


@transaction.atomic
def school_draw_run(*, rnd: Round, grade: int, n: int, seed: int, sort_order: str, user: User) -> SchoolDraw:
    """Draw ``n`` schools of the grade by PPS systematic sampling and record the draw.

    An unconfirmed draw of the grade is replaced (its record stays, marked not current).
    """
    require_stage(rnd, Stage.SAMPLING)
    Round.objects.select_for_update().filter(pk=rnd.pk).first()
    plan = plan_for(rnd)
    previous = current_draw(rnd, grade)
    if previous and previous.is_confirmed:
        raise SamplingError(
            _("The %(grade)s school sample is confirmed; it changes only through replacements.") % {"grade": grade_label(grade)}
        )
    units = frame_units(plan=plan, grade=grade)
    if not any(u.size > 0 for u in units):
        raise SamplingError(_("No school in the frame has pupils in %(grade)s.") % {"grade": grade_label(grade)})
    keys = SORT_ORDERS[sort_order]
    result = pps_systematic(units=units, n=n, seed=seed, sort_keys=keys)
    if previous:
        SampledSchool.objects.filter(round=rnd, grade=grade).delete()
        previous.is_current = False
        history_user(previous, user)
        previous.save()
    draw = SchoolDraw(
        round=rnd,
        grade=grade,
        n=n,
        seed=seed,
        sort_keys=list(keys),
        frame_version=plan.frame_version,
        frame_units=len(result.frame_order),
        frame_total=sum(u.size for u in units if u.size > 0),
        result=_result_json(result),
        drawn_by=user,
    )
    history_user(draw, user)
    draw.save()
    for serial, unit in enumerate(result.selected, start=1):
        school = SampledSchool(
            round=rnd,
            grade=grade,
            school_id=cast(int, unit.id),  # the frame's units are schools by pk
            serial=serial,
            enrolment=unit.size,
            probability=float(unit.probability),
            weight=float(unit.weight),
            certainty=unit.certainty,
            draw=draw,
            replacement_candidates=list(unit.replacements),
        )
        history_user(school, user)
        school.save()
    return draw


def _result_json(result) -> dict:
    return {
        "frame_order": list(result.frame_order),
        "excluded": list(result.excluded),
        "took_all": result.took_all,
        "systematic_n": result.systematic_n,
        "interval": str(result.interval) if result.interval is not None else None,
        "random_start": str(result.random_start) if result.random_start is not None else None,
        "selected": [
            {
                "school": u.id,
                "size": u.size,
                "probability": str(u.probability),
                "weight": str(u.weight),
                "certainty": u.certainty,
                "range": list(u.cumulative_range) if u.cumulative_range else None,
                "replacements": list(u.replacements),
            }
            for u in result.selected
        ],
    }


@transaction.atomic
def school_draw_confirm(*, draw: SchoolDraw, user: User) -> SchoolDraw:
    """Confirm the draw and freeze the frame; from now on only recorded replacements change it."""
    require_stage(draw.round, Stage.SAMPLING)
    draw = SchoolDraw.objects.select_for_update().get(pk=draw.pk)
    if not draw.is_current or draw.is_confirmed:
        raise SamplingError(_("This draw is not the current unconfirmed draw."))
    plan = plan_for(draw.round)
    if plan.frame_version != draw.frame_version:
        raise SamplingError(_("The frame changed after this draw; draw again."))
    draw.confirmed_by, draw.confirmed_at = user, timezone.now()
    history_user(draw, user)
    draw.save()
    if not plan.is_frozen:
        plan.frozen_at = draw.confirmed_at
        history_user(plan, user)
        plan.save()
    return draw


def replacement_choices(sampled: SampledSchool) -> list[School]:
    """Candidates still free, first choice first (替补校)."""
    taken = set(SampledSchool.objects.filter(round=sampled.round, grade=sampled.grade).values_list("school_id", flat=True))
    by_id = School.objects.in_bulk([c for c in sampled.replacement_candidates if c not in taken])
    return [by_id[c] for c in sampled.replacement_candidates if c in by_id]


@transaction.atomic
def school_replace(*, sampled: SampledSchool, school: School, reason: str, user: User) -> SampledSchool:
    """A sampled school cannot take part: record why, and bring in one of its replacements.

    The replacement takes the replaced school's π and weight (it stands in for it in the
    design) and the next free school number.
    """
    require_stage(sampled.round, *REPLACEMENT_STAGES)
    sampled = SampledSchool.objects.select_for_update().get(pk=sampled.pk)
    draw = current_draw(sampled.round, sampled.grade)
    if draw is None or not draw.is_confirmed:
        raise SamplingError(_("Replacements are recorded after the school draw is confirmed; until then, draw again."))
    if not sampled.takes_part:
        raise SamplingError(_("This school has already been replaced."))
    if hasattr(sampled, "student_draw"):
        raise SamplingError(_("Students of this school have been drawn; it can no longer be replaced."))
    if not reason.strip():
        raise SamplingError(_("Give the reason why the school cannot take part."))
    if school.pk not in {s.pk for s in replacement_choices(sampled)}:
        raise SamplingError(_("Choose one of the school's replacement schools."))
    sampled.status, sampled.replacement_reason = SampledSchool.Status.REPLACED, reason.strip()
    history_user(sampled, user)
    sampled.save()
    plan = plan_for(sampled.round)
    frame_school = plan.schools.get(school=school)
    serial = (SampledSchool.objects.filter(round=sampled.round, grade=sampled.grade).aggregate(m=Max("serial"))["m"] or 0) + 1
    new = SampledSchool(
        round=sampled.round,
        grade=sampled.grade,
        school=school,
        serial=serial,
        enrolment=frame_school.enrolment(sampled.grade),
        probability=sampled.probability,
        weight=sampled.weight,
        certainty=False,
        status=SampledSchool.Status.REPLACEMENT,
        replaces=sampled,
        draw=sampled.draw,
        replacement_reason=reason.strip(),
        replacement_candidates=[c for c in sampled.replacement_candidates if c != school.pk],
    )
    history_user(new, user)
    new.save()
    return new


@transaction.atomic
def notice_settings_save(*, rnd: Round, notice_names: str, user: User) -> SamplingPlan:
    plan = plan_for(rnd)
    plan.notice_names = notice_names
    history_user(plan, user)
    plan.save()
    return plan


def exact(value: str | None) -> Fraction | None:
    return Fraction(value) if value else None


@transaction.atomic
def frame_import_start(*, rnd: Round, upload, user: User, language: str) -> ImportBatch:
    """Keep the file, then queue the frame import once this request's transaction commits."""
    from rounds.models import ImportBatch

    from .tasks import frame_import

    require_stage(rnd, Stage.SAMPLING)
    if plan_for(rnd).is_frozen:
        raise SamplingError(_("The frame is frozen: the school draw has been confirmed."))
    batch = ImportBatch.objects.create(
        kind="sampling_frame", county=rnd.county, file=upload, original_name=upload.name[:200], uploaded_by=user
    )
    transaction.on_commit(lambda: frame_import.delay(batch.pk, rnd.pk, language))
    return batch


def frame_import_confirm(*, rnd: Round, batch, user: User, language: str):
    """Confirm the difference a frame import waits on; its task writes it once this commits."""
    from rounds.services import import_batch_confirm

    from .tasks import frame_import

    return import_batch_confirm(batch=batch, user=user, queue=lambda: frame_import.delay(batch.pk, rnd.pk, language))
