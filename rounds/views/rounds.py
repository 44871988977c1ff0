"""Round setup: domains, test days, timetable, milestones and stages."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.audit import history_user
from monitoring_site.concurrency import StaleEdit
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm, required_person

from ..forms import MilestoneFormSet, RoundForm, TimetableFormSet, today
from ..models import Stage, TestSession
from ..selectors import rounds_visible_to
from ..services import StageError, cycle_year_of, default_domains, round_advance, round_create, round_update

EDITABLE_STAGES = {Stage.SETUP, Stage.SAMPLING, Stage.PREPARATION}


def _domains_preview(request: AuthenticatedHttpRequest, form) -> HttpResponse:
    """htmx: the cycle year changed, so offer that year's domains of the national rotation."""
    try:
        cycle_year = int(request.GET.get("cycle_year", ""))
        form.initial["domains"] = default_domains(cycle_year)
    except (ValueError, KeyError):
        pass
    return render(request, "rounds/round_form.html", {"form": form})


@require_perm("rounds.view_round")
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rounds = rounds_visible_to(request.user)
    return render(request, "rounds/round_list.html", {"rounds": rounds})


@require_perm("rounds.manage_round")
def round_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    county = required_person(request.user).county
    year = today().year + (1 if today().month > 5 else 0)
    cycle_year = cycle_year_of(county=county, year=year)
    form = RoundForm(
        request.POST or None,
        county=county,
        initial={
            "year": year,
            "cycle_year": cycle_year,
            "domains": default_domains(cycle_year),
            "grades": [4, 8],
        },
    )
    if request.htmx and request.method == "GET":
        return _domains_preview(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rnd = round_create(
            county=county,
            year=data["year"],
            cycle_year=data["cycle_year"],
            domains=data["domains"],
            grades=data["grades"],
            test_start=data["test_start"],
            test_end=data["test_end"],
            user=request.user,
        )
        if data.get("closes_at"):
            rnd.closes_at = data["closes_at"]
            rnd.save(update_fields=["closes_at"])
        messages.success(request, _("Round created with a default timetable and milestones; check them below."))
        if form.late_may_warning:
            messages.warning(request, _("The test days are not in late May (21–31 May), when national tests are normally held."))
        return redirect("round_detail", pk=rnd.pk)
    return render(request, "rounds/round_form.html", {"form": form})


@require_perm("rounds.view_round")
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = get_visible_or_404(
        rounds_visible_to(request.user).prefetch_related(
            Prefetch("sessions", queryset=TestSession.objects.order_by("grade", "day", "start")), "milestones"
        ),
        pk=pk,
    )
    sessions_by_grade = {g: [s for s in rnd.sessions.all() if s.grade == g] for g in rnd.grades}
    return render(
        request,
        "rounds/round_detail.html",
        {
            "round": rnd,
            "sessions_by_grade": sessions_by_grade,
            "milestones": rnd.milestones.all(),
            "today": today(),
            "editable": rnd.stage in EDITABLE_STAGES,
            "stages": Stage.choices,
            "late_may": rnd.test_days_in_late_may(),
        },
    )


@require_perm("rounds.manage_round")
def round_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = get_visible_or_404(rounds_visible_to(request.user), pk=pk)
    if rnd.stage not in EDITABLE_STAGES:
        messages.error(request, _("In this stage the round's setup can no longer be changed."))
        return redirect("round_detail", pk=rnd.pk)
    form = RoundForm(request.POST or None, instance=rnd, county=rnd.county)
    if request.htmx and request.method == "GET":
        return _domains_preview(request, form)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ("year", "cycle_year", "domains", "grades", "test_start", "test_end", "closes_at")}
        try:
            round_update(rnd=rnd, expected_version=form.cleaned_data["version"], user=request.user, **fields)
        except StaleEdit as exc:
            messages.error(request, exc.message)
            return render(request, "rounds/round_form.html", {"form": form, "round": rnd}, status=409)
        messages.success(request, _("Round saved."))
        if form.late_may_warning:
            messages.warning(request, _("The test days are not in late May (21–31 May), when national tests are normally held."))
        return redirect("round_detail", pk=rnd.pk)
    return render(request, "rounds/round_form.html", {"form": form, "round": rnd})


@require_perm("rounds.manage_round")
def timetable_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = get_visible_or_404(rounds_visible_to(request.user), pk=pk)
    if rnd.stage not in EDITABLE_STAGES:
        messages.error(request, _("In this stage the timetable can no longer be changed."))
        return redirect("round_detail", pk=rnd.pk)
    formset = TimetableFormSet(request.POST or None, instance=rnd, queryset=rnd.sessions.order_by("grade", "day", "start"))
    if request.method == "POST" and formset.is_valid():
        for form in formset.forms:
            history_user(form.instance, request.user)
        formset.save()
        messages.success(request, _("Timetable saved."))
        return redirect("round_detail", pk=rnd.pk)
    return render(request, "rounds/timetable_form.html", {"round": rnd, "formset": formset})


@require_perm("rounds.manage_round")
def milestones_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = get_visible_or_404(rounds_visible_to(request.user), pk=pk)
    if rnd.is_closed:
        messages.error(request, _("The round is closed."))
        return redirect("round_detail", pk=rnd.pk)
    formset = MilestoneFormSet(request.POST or None, instance=rnd, queryset=rnd.milestones.order_by("due_date"))
    if request.method == "POST" and formset.is_valid():
        for form in formset.forms:
            history_user(form.instance, request.user)
        formset.save()
        messages.success(request, _("Milestones saved."))
        return redirect("round_detail", pk=rnd.pk)
    return render(request, "rounds/milestones_form.html", {"round": rnd, "formset": formset})


@require_POST
@require_perm("rounds.manage_round")
def round_advance_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = get_visible_or_404(rounds_visible_to(request.user), pk=pk)
    try:
        round_advance(rnd=rnd, user=request.user, expected_version=int(request.POST.get("version", -1)))
    except (StageError, StaleEdit) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, _("The round is now in the stage: %(stage)s.") % {"stage": rnd.get_stage_display()})
    return redirect("round_detail", pk=rnd.pk)
