"""Plan versions: the frozen content of an approved plan and a readable comparison of two."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

HEADING_FIELDS = ("title", "guiding_principle", "leadership_group", "work_requirements")
ITEM_FIELDS = (
    "problem",
    "goal",
    "target",
    "measures",
    "lead_department",
    "cooperating_departments",
    "responsible",
    "deadline",
    "milestones",
    "status",
)


def _labels() -> dict[str, str]:
    return {
        "title": _("Title"),
        "guiding_principle": _("Guiding principle"),
        "leadership_group": _("Leadership group"),
        "work_requirements": _("Work requirements"),
        "problem": _("Problem"),
        "goal": _("Rectification goal"),
        "target": _("Measurable target"),
        "measures": _("Measures"),
        "lead_department": _("Lead department"),
        "cooperating_departments": _("Cooperating departments"),
        "responsible": _("Responsible person"),
        "deadline": _("Deadline"),
        "milestones": _("Milestones"),
        "status": _("Status"),
    }


def target_text(item) -> str:
    if not item.indicator:
        return ""
    parts = [item.indicator]
    if item.target_value is not None:
        parts.append(f"{item.get_target_direction_display()} {item.target_value.normalize():f}")
    if item.target_by:
        parts.append(_("by %(date)s") % {"date": date_format(item.target_by, "DATE_FORMAT")})
    return " ".join(parts)


def milestones_text(milestones: list[dict]) -> str:
    return "\n".join(f"{m.get('date', '')} {m.get('title', '')}".strip() for m in milestones)


def plan_snapshot(plan, items) -> dict:
    """The plan as it reads, in plain values, so a later reader needs no live rows."""
    return {
        **{name: getattr(plan, name) for name in HEADING_FIELDS},
        "number": plan.number,
        "items": [
            {
                "id": item.pk,
                "problem": f"{item.problem.number}. {item.problem.title}",
                "goal": item.goal,
                "target": target_text(item),
                "measures": item.measures,
                "lead_department": item.lead_department.name,
                "cooperating_departments": "、".join(d.name for d in item.cooperating_departments.all()),
                "responsible": str(item.responsible) if item.responsible else "",
                "deadline": item.deadline.isoformat(),
                "milestones": milestones_text(item.milestones),
                "status": str(item.get_status_display()),
            }
            for item in items
        ],
    }


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed", "changed"
    section: str
    field: str
    old: str
    new: str


def compare(old: dict, new: dict) -> list[Change]:
    """What changed from ``old`` to ``new``: heading fields, then items matched by identity."""
    labels = _labels()
    heading = _("Plan heading")
    changes = [
        Change("changed", heading, labels[f], old.get(f, ""), new.get(f, "")) for f in HEADING_FIELDS if old.get(f, "") != new.get(f, "")
    ]
    old_items = {i["id"]: i for i in old.get("items", [])}
    new_items = {i["id"]: i for i in new.get("items", [])}
    for pk, item in new_items.items():
        section = _("Item: %(goal)s") % {"goal": item["goal"][:40]}
        before = old_items.get(pk)
        if before is None:
            changes.append(Change("added", section, "", "", item["problem"]))
            continue
        changes.extend(
            Change("changed", section, labels[f], before.get(f, ""), item.get(f, ""))
            for f in ITEM_FIELDS
            if before.get(f, "") != item.get(f, "")
        )
    for pk, item in old_items.items():
        if pk not in new_items:
            section = _("Item: %(goal)s") % {"goal": item["goal"][:40]}
            changes.append(Change("removed", section, "", item["problem"], ""))
    return changes
