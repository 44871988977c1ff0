"""A sample school's page: staff, mock drill, test-day sessions with attendance, custody, incidents."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.concurrency import StaleEdit
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm
from rounds.models import Round, School, TestSession
from sampling.models import SampledStudent
from sampling.selectors import sampled_students

from ..forms import AttendanceForm, DrillForm, SessionRecordForm, StaffFormSet
from ..models import Attendance, AttendanceStatus, Checklist, MockDrill, SessionRecord, StaffAssignment
from ..selectors import sampled_grades, session_rate, session_rates, session_records_of, sessions_for
from ..services import (
    LogisticsError,
    attendance_mark,
    attendance_mark_all_present,
    attendance_suggestion,
    drill_record,
    may_now,
    session_record_ensure,
    session_record_save,
    staff_save,
    stage_allows,
)
from .common import PREPARATION, TEST_DAYS, banner, round_or_404, school_or_404, stage_refused


@require_perm("logistics.view_school")
def school_logistics(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    grades = sampled_grades(rnd=rnd, school=school)
    by_grade = {s.grade: s for s in grades}
    timetable = list(sessions_for(rnd=rnd, grades=list(by_grade)))
    records = session_records_of(pairs=[(session, by_grade[session.grade]) for session in timetable])
    sessions = [
        {"session": session, "record": record, "rate": rate}
        for session, record, rate in zip(timetable, records, session_rates(records=records), strict=True)
    ]
    return render(
        request,
        "logistics/school.html",
        {
            **banner(rnd),
            "school": school,
            "grades": grades,
            "sessions": sessions,
            "checklist": Checklist.objects.filter(round=rnd, school=school).first(),
            "staff": StaffAssignment.objects.filter(round=rnd, school=school),
            # The page offers what its POST would accept, and says why not otherwise.
            "may_staff": may_now(request.user, "logistics.record_staff", rnd, PREPARATION),
            "may_drill": may_now(request.user, "logistics.record_drill", rnd, PREPARATION),
            "drills": MockDrill.objects.filter(round=rnd, school=school).select_related("recorded_by"),
        },
    )


@require_perm("logistics.record_staff")
def staff_edit(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    formset = StaffFormSet(request.POST or None, queryset=StaffAssignment.objects.filter(round=rnd, school=school))
    if request.method == "POST" and not stage_refused(request, rnd, PREPARATION) and formset.is_valid():
        changed = formset.save(commit=False)
        staff_save(rnd=rnd, school=school, changed=changed, deleted=list(formset.deleted_objects), user=request.user)
        messages.success(request, _("Staff saved."))
        return redirect("school_logistics", round_pk=rnd.pk, school_pk=school.pk)
    if request.method == "POST" and not formset.is_bound:
        return redirect("school_logistics", round_pk=rnd.pk, school_pk=school.pk)
    return render(request, "logistics/staff_form.html", {**banner(rnd), "school": school, "formset": formset})


@require_perm("logistics.record_drill")
def drill_add(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    form = DrillForm(request.POST or None)
    if request.method == "POST" and not stage_refused(request, rnd, PREPARATION) and form.is_valid():
        drill_record(rnd=rnd, school=school, user=request.user, **form.cleaned_data)
        messages.success(request, _("Mock drill recorded."))
        return redirect("school_logistics", round_pk=rnd.pk, school_pk=school.pk)
    return render(
        request,
        "logistics/form.html",
        {
            **banner(rnd),
            "form": form,
            "title": _("Record the mock drill"),
            "school": school,
            "back_url": reverse("school_logistics", args=[rnd.pk, school.pk]),
        },
    )


def _session_context(
    request: AuthenticatedHttpRequest, rnd: Round, school: School, session_pk: int, *, create: bool = False
) -> tuple[TestSession, SessionRecord]:
    """The session and its record: on a GET an unsaved record when nothing was recorded yet."""
    grades = {s.grade: s for s in sampled_grades(rnd=rnd, school=school)}
    session = get_visible_or_404(rnd.sessions.filter(grade__in=list(grades)), pk=session_pk)
    if create:
        return session, session_record_ensure(session=session, sampled_school=grades[session.grade])
    return session, session_records_of(pairs=[(session, grades[session.grade])])[0]


@require_perm("logistics.record_attendance")
def session_attendance(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, session_pk: int) -> HttpResponse:
    """The test-day page on a phone: one row per sampled student, by monitoring ID only."""
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    session, record = _session_context(request, rnd, school, session_pk, create=request.method == "POST")
    form = SessionRecordForm(
        request.POST or None,
        initial={
            "version": record.version,
            "actual_start": record.actual_start,
            "actual_end": record.actual_end,
            "monitors": record.monitors,
        },
    )
    if not stage_allows(rnd, TEST_DAYS)[0]:
        for field in form.fields.values():  # shown, not offered: the stage does not allow a change
            field.disabled = True
    if request.method == "POST":
        if not stage_refused(request, rnd, TEST_DAYS) and form.is_valid():
            data = form.cleaned_data
            try:
                session_record_save(
                    record=record,
                    actual_start=data["actual_start"],
                    actual_end=data["actual_end"],
                    monitors=data["monitors"],
                    expected_version=data["version"],
                    user=request.user,
                )
            except StaleEdit as exc:
                # Someone saved since this page was opened: say who and when, keep what was typed.
                messages.error(request, exc.message)
                context = {**banner(rnd), **_attendance_context(rnd, school, session, record), "form": form}
                return render(request, "logistics/session.html", context, status=409)
            messages.success(request, _("Session times and monitors saved."))
        elif form.errors:
            messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("session_attendance", round_pk=rnd.pk, school_pk=school.pk, session_pk=session.pk)
    return render(
        request,
        "logistics/session.html",
        {**banner(rnd), **_attendance_context(rnd, school, session, record), "form": form},
    )


def _attendance_context(rnd, school, session, record) -> dict:
    students = list(
        sampled_students(rnd=rnd).filter(sampled_school=record.sampled_school).only("pk", "monitoring_id", "exclusion", "pe_exempt")
    )
    marked = dict(Attendance.objects.filter(record=record).values_list("student_id", "status")) if record.pk else {}
    rows = [
        {"student": s, "status": marked.get(s.pk), "suggested": attendance_suggestion(student=s, session_kind=session.kind)}
        for s in students
    ]
    return {
        "school": school,
        "session": session,
        "record": record,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "rate": session_rate(record=record, students=students),
        "editable": stage_allows(rnd, TEST_DAYS)[0],
        "refusal": stage_allows(rnd, TEST_DAYS)[1],
    }


@require_POST
@require_perm("logistics.record_attendance")
def attendance_mark_all_view(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, session_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    session, record = _session_context(request, rnd, school, session_pk, create=True)
    if not stage_refused(request, rnd, TEST_DAYS):
        count = attendance_mark_all_present(record=record, user=request.user)
        messages.success(request, _("%(n)s students marked present; change those absent or late.") % {"n": count})
    return redirect("session_attendance", round_pk=rnd.pk, school_pk=school.pk, session_pk=session.pk)


@require_POST
@require_perm("logistics.record_attendance")
def attendance_mark_view(
    request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, session_pk: int, student_pk: int
) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    session, record = _session_context(request, rnd, school, session_pk, create=True)
    student = get_visible_or_404(SampledStudent.objects.filter(sampled_school=record.sampled_school), pk=student_pk)
    form = AttendanceForm(request.POST)
    if not stage_refused(request, rnd, TEST_DAYS) and form.is_valid():
        try:
            attendance_mark(
                record=record,
                student=student,
                status=form.cleaned_data["status"],
                user=request.user,
            )
        except LogisticsError as exc:
            messages.error(request, exc.message)
    if request.htmx:
        return render(
            request,
            "logistics/_attendance.html",
            {**_attendance_context(rnd, school, session, record), "round": rnd},
        )
    return redirect("session_attendance", round_pk=rnd.pk, school_pk=school.pk, session_pk=session.pk)
