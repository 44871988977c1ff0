"""PE-health indicators of a round: BMI categories by grade and sex (from the county's copy of
the national table), the poor-vision rate, and the other measured items summarised."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_lazy as _

from rounds.models import Round

from .estimation import Estimate, Proportion, Replication, jackknife
from .health import BmiCategory, ItemSummary, bmi, poor_vision, summarize
from .imports import PE_ITEMS
from .models import Attendance, PeMeasurement, ResultImport
from .reference import bmi_table_of
from .selectors import active_import, safe
from .weights import design_of, sampled_of

BMI_LABELS = {
    BmiCategory.LOW_WEIGHT: _("Low weight"),
    BmiCategory.NORMAL: _("Normal"),
    BmiCategory.OVERWEIGHT: _("Overweight"),
    BmiCategory.OBESE: _("Obese"),
}
SEX_LABELS = {"M": _("Boys"), "F": _("Girls"), "": _("All")}
ITEM_LABELS = {
    "height_cm": _("Height (cm)"),
    "weight_kg": _("Weight (kg)"),
    "vision_left": _("Vision, left eye"),
    "vision_right": _("Vision, right eye"),
    "vital_capacity_ml": _("Vital capacity (ml)"),
    "run_50m_s": _("50 m run (s)"),
    "sit_and_reach_cm": _("Sit-and-reach (cm)"),
    "rope_skipping": _("Rope skipping (per minute)"),
}


@dataclass
class PeGroup:
    grade: int
    sex: str  # "" for both
    tested: int
    bmi_shares: dict[str, Estimate | None]
    poor_vision: Estimate | None
    items: dict[str, ItemSummary] = field(default_factory=dict)

    @property
    def sex_label(self) -> str:
        return str(SEX_LABELS[self.sex])


@dataclass
class PeResult:
    groups: list[PeGroup]
    exempt: int
    absent: int


def pe_result(*, rnd: Round) -> PeResult | None:
    ri = active_import(rnd=rnd, kind=ResultImport.Kind.PE)
    if ri is None:
        return None
    fields = [f for _h, f, _lo, _hi in PE_ITEMS]
    rows = list(
        PeMeasurement.objects.filter(result_import=ri).values(
            "student_id",
            "attendance",
            "student__sex",
            "student__sampled_school_id",
            "student__sampled_school__grade",
            *fields,
        )
    )
    tested = [r for r in rows if r["attendance"] == Attendance.PRESENT]
    table = bmi_table_of(county=rnd.county)
    for r in tested:
        r["bmi_category"] = ""
        if r["height_cm"] and r["weight_kg"]:
            # A grade without a row in the county's BMI table stays unclassified.
            with contextlib.suppress(LookupError, ValueError):
                r["bmi_category"] = table.norm(grade=r["student__sampled_school__grade"], sex=r["student__sex"]).category(
                    bmi(height_cm=r["height_cm"], weight_kg=r["weight_kg"])
                )
        r["poor_vision"] = poor_vision(left=r["vision_left"], right=r["vision_right"])
    groups = []
    students = sampled_of(rnd=rnd)
    for grade in rnd.grades:
        attendance = {r["student_id"]: r["attendance"] for r in rows if r["student__sampled_school__grade"] == grade}
        design = design_of(students=students, grade=grade, attendance=attendance)
        for r in tested:
            if r["student__sampled_school__grade"] == grade:
                r["weight"] = design.weights[r["student_id"]]
        for sex in ("", "M", "F"):
            members = [r for r in tested if r["student__sampled_school__grade"] == grade and (not sex or r["student__sex"] == sex)]
            if members:
                groups.append(_group(grade, sex, members, fields, design.replication))
    exempt = sum(r["attendance"] == Attendance.EXEMPT for r in rows)
    absent = sum(r["attendance"] == Attendance.ABSENT for r in rows)
    return PeResult(groups, exempt, absent)


def _group(grade: int, sex: str, members: list[dict], fields: list[str], replication: Replication) -> PeGroup:
    """Shares with jackknife SEs under the import's design (weights adjusted for nonresponse
    within each school, certainty schools as strata of their students)."""
    classified = [r for r in members if r["bmi_category"]]
    shares: dict[str, Estimate | None] = {}
    if classified:
        weights = np.array([r["weight"] for r in classified], dtype=float)
        clusters = np.array([r["student__sampled_school_id"] for r in classified])
        categories = np.array([str(r["bmi_category"]) for r in classified])
        for category in BmiCategory:
            shares[category.value] = safe(
                jackknife,
                values=categories,
                weights=weights,
                clusters=clusters,
                statistic=Proportion(of=category.value),
                replication=replication,
            )
    judged = [r for r in members if r["poor_vision"] is not None]
    vision = None
    if judged:
        vision = safe(
            jackknife,
            values=np.array([r["poor_vision"] for r in judged], dtype=float),
            weights=np.array([r["weight"] for r in judged], dtype=float),
            clusters=np.array([r["student__sampled_school_id"] for r in judged]),
            statistic=Proportion(of=1.0),
            replication=replication,
        )
    items = {f: summarize(values=[r[f] for r in members]) for f in fields}
    return PeGroup(grade, sex, len(members), shares, vision, items)


def pe_indicator_values(result: PeResult | None, *, grade: int) -> dict[str, Estimate | None]:
    """The round's PE-health indicators for one grade (both sexes), for comparisons and rules."""
    if result is None:
        return {}
    group = next((g for g in result.groups if g.grade == grade and g.sex == ""), None)
    if group is None:
        return {}
    return {
        "normal_weight": group.bmi_shares.get("normal"),
        "overweight": group.bmi_shares.get("overweight"),
        "obese": group.bmi_shares.get("obese"),
        "poor_vision": group.poor_vision,
    }
