"""The county's readiness dashboard (schools × rooms), its export, and the checklist template."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm, required_person
from monitoring_site.spreadsheets import Column, new_workbook, workbook_bytes, write_sheet
from rounds.forms import today
from rounds.selectors import round_of_request

from ..forms import ItemForm, RoomForm
from ..models import ChecklistItem, ChecklistRoom
from ..selectors import ROOM_LABELS, STATUS_CHOICES, filter_rows, readiness, sample_schools_visible_to, template_rooms
from ..services import (
    PREPARATION,
    TEMPLATE_STAGES,
    LogisticsError,
    checklist_template_ensure,
    stage_allows,
    template_item_delete,
    template_item_save,
    template_room_add,
)
from .common import banner, round_or_404, stage_refused


@require_perm("logistics.use_app")
def logistics_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff and readers go to the dashboard; a school's people to their school."""
    rnd = round_of_request(request)
    if rnd is None:
        return render(request, "logistics/no_round.html")
    schools = list(sample_schools_visible_to(request.user, rnd=rnd)[:2])
    if required_person(request.user).role in ("coordinator", "monitor") and len(schools) == 1:
        return redirect("school_logistics", round_pk=rnd.pk, school_pk=schools[0].pk)
    if request.user.has_perm("logistics.view_readiness"):
        return redirect("readiness_dashboard", round_pk=rnd.pk)
    return render(
        request,
        "logistics/no_round.html",
        {"round": rnd, "schools": sample_schools_visible_to(request.user, rnd=rnd)},
    )


@require_perm("logistics.view_readiness")
def readiness_dashboard(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    checklist_template_ensure(rnd=rnd)
    rooms, rows, due = readiness(user=request.user, rnd=rnd, today=today())
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    shown = filter_rows(rows, status=status, overdue=overdue)
    labels = {state: str(label) for state, label in ROOM_LABELS.items()}
    for row in shown:
        row.cells = [(state, labels[state]) for state in row.rooms]
    counts = {value: sum(1 for r in rows if r.status == value) for value, _label in STATUS_CHOICES}
    return render(
        request,
        "logistics/readiness.html",
        {
            **banner(rnd),
            "rooms": rooms,
            "rows": shown,
            "all_count": len(rows),
            "due": due,
            "status": status,
            "overdue": overdue,
            "status_choices": [(v, label, counts[v]) for v, label in STATUS_CHOICES],
            "room_labels": ROOM_LABELS,
            "overdue_count": sum(1 for r in rows if r.overdue),
            "query": request.GET.urlencode(),
            "stage_refusal": stage_allows(rnd, PREPARATION)[1],
        },
    )


@require_perm("logistics.export_readiness")
def readiness_export(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    rooms, rows, _due = readiness(user=request.user, rnd=rnd, today=today())
    rows = filter_rows(rows, status=request.GET.get("status", ""), overdue=request.GET.get("overdue") == "1")
    statuses = dict(STATUS_CHOICES)
    columns = [
        Column(_("School code"), "code", width=14),
        Column(_("School"), "name", width=28),
        Column(_("Grades"), "grades", width=8),
        Column(_("Status"), "status", width=14),
        Column(_("Items done"), "done", width=10),
    ]
    columns += [Column(room.title, f"room{room.pk}", width=14) for room in rooms]
    columns += [
        Column(_("Overdue"), "overdue", width=8),
        Column(_("Who must act"), "actors", width=20),
        Column(_("Submitted at"), "submitted", width=18),
    ]
    workbook = new_workbook()
    write_sheet(
        workbook,
        title=_("Readiness"),
        columns=columns,
        rows=(
            [
                row.school.code,
                row.school.name,
                "、".join(str(g) for g in row.grades),
                str(statuses[row.status]),
                f"{row.done}/{row.total}",
                *[str(ROOM_LABELS[s]) for s in row.rooms],
                _("yes") if row.overdue else "",
                "、".join(row.actors),
                row.checklist.submitted_at.strftime("%Y-%m-%d %H:%M") if row.checklist and row.checklist.submitted_at else "",
            ]
            for row in rows
        ),
    )
    filename = _("readiness-%(year)s.xlsx") % {"year": rnd.year}
    return HttpResponse(
        workbook_bytes(workbook),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


# --- the template -------------------------------------------------------------------------


@require_perm("logistics.view_template")
def template_detail(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    template = checklist_template_ensure(rnd=rnd)
    return render(
        request,
        "logistics/template_detail.html",
        {
            **banner(rnd),
            "template": template,
            "rooms": template_rooms(rnd=rnd),
            "editable": request.user.has_perm("logistics.manage_template") and rnd.stage in TEMPLATE_STAGES,
            "history": template.history.select_related("history_user")[:20],
        },
    )


@require_perm("logistics.manage_template")
def template_room_add_view(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    template = checklist_template_ensure(rnd=rnd)
    form = RoomForm(request.POST or None)
    if request.method == "POST" and not stage_refused(request, rnd, TEMPLATE_STAGES) and form.is_valid():
        template_room_add(template=template, title=form.cleaned_data["title"], user=request.user)
        messages.success(request, _("Room added."))
        return redirect("template_detail", round_pk=rnd.pk)
    return render(
        request,
        "logistics/form.html",
        {
            **banner(rnd),
            "form": form,
            "title": gettext_lazy("Add a room"),
            "back_url": reverse("template_detail", args=[rnd.pk]),
        },
    )


def _item_form_page(request: AuthenticatedHttpRequest, rnd, item, title) -> HttpResponse:
    form = ItemForm(request.POST or None, instance=item, rnd=rnd)
    if request.method == "POST" and not stage_refused(request, rnd, TEMPLATE_STAGES) and form.is_valid():
        try:
            template_item_save(item=form.save(commit=False), user=request.user)
        except LogisticsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Checklist item saved."))
        return redirect("template_detail", round_pk=rnd.pk)
    return render(
        request,
        "logistics/form.html",
        {
            **banner(rnd),
            "form": form,
            "title": title,
            "back_url": reverse("template_detail", args=[rnd.pk]),
        },
    )


@require_perm("logistics.manage_template")
def template_item_add(request: AuthenticatedHttpRequest, round_pk: int, room_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    room = get_visible_or_404(ChecklistRoom.objects.filter(template__round=rnd), pk=room_pk)
    return _item_form_page(request, rnd, ChecklistItem(room=room), _("New item in %(room)s") % {"room": room.title})


@require_perm("logistics.manage_template")
def template_item_edit(request: AuthenticatedHttpRequest, round_pk: int, item_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    item = get_visible_or_404(
        ChecklistItem.objects.filter(room__template__round=rnd).select_related("room__template__round"),
        pk=item_pk,
    )
    return _item_form_page(request, rnd, item, _("Edit item"))


@require_POST
@require_perm("logistics.manage_template")
def template_item_delete_view(request: AuthenticatedHttpRequest, round_pk: int, item_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    item = get_visible_or_404(
        ChecklistItem.objects.filter(room__template__round=rnd).select_related("room__template__round"),
        pk=item_pk,
    )
    if not stage_refused(request, rnd, TEMPLATE_STAGES):
        try:
            template_item_delete(item=item, user=request.user)
        except LogisticsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Checklist item removed."))
    return redirect("template_detail", round_pk=rnd.pk)
