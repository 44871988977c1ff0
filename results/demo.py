"""Demo data: plausible scores and PE-health measurements for the demo round's sampled
students (when the sampling demo has drawn any), a few reference values, then the diagnosis.

Files go through the real import (as CSV), so the demo shows imports with their history."""

from __future__ import annotations

import csv
import io
import math
import random

from django.core.files.base import ContentFile

from rounds.models import Domain, ImportBatch, Location, Round

from .imports import PE_ITEMS, result_import_run
from .models import ReferenceValue, ResultImport

LOCATION_SHIFT = {Location.URBAN: 25.0, Location.TOWN: 0.0, Location.RURAL: -30.0}


def _uploader(rnd: Round):
    if rnd.created_by_id:
        return rnd.created_by
    person = rnd.county.people.filter(role="county_staff").select_related("user").first()
    return person.user if person else None


def _csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _import(rnd: Round, user, *, kind: str, domain: str, name: str, data: bytes) -> ResultImport:
    batch = ImportBatch.objects.create(
        kind=f"results_{kind}",
        county=rnd.county,
        file=ContentFile(data, name=name),
        original_name=name,
        uploaded_by=user,
    )
    ri = ResultImport.objects.create(round=rnd, kind=kind, domain=domain, batch=batch)
    return result_import_run(result_import_id=ri.pk)


def _students(rnd: Round):
    from sampling.selectors import sampled_students

    return list(sampled_students(rnd=rnd).filter(exclusion="").select_related("sampled_school__school").order_by("monitoring_id"))


def _attendance(rnd: Round, domain: str) -> tuple[set[int], set[int]]:
    """(sampled schools whose sessions of the domain were recorded, students marked absent in one)."""
    from logistics.models import Attendance, AttendanceStatus

    marks = Attendance.objects.filter(record__session__round=rnd, record__session__domain=domain)
    recorded = set(marks.values_list("record__sampled_school_id", flat=True))
    absent = set(marks.filter(status=AttendanceStatus.ABSENT).values_list("student_id", flat=True))
    return recorded, absent


def load_demo(*, rnd: Round, rng: random.Random) -> None:
    students = _students(rnd)
    user = _uploader(rnd)
    if not students or user is None:
        return
    # One z per school; mathematics spreads schools wider, the county's typical problem
    # (县域内学生数学学业表现校间差异较大), so that the diagnosis has something to say.
    school_z = {s.sampled_school_id: rng.gauss(0, 1) for s in students}
    for domain in rnd.domains:
        spread = 70.0 if domain == Domain.MATH else 35.0
        label, rows = _zh_label(domain), []
        recorded, absent = _attendance(rnd, domain)
        for s in students:
            # Where the test day was recorded the scores follow it; elsewhere a few are away at random.
            away = s.pk in absent if s.sampled_school_id in recorded else rng.random() < 0.02
            if away:
                rows.append([s.monitoring_id, label, "缺考", ""])
                continue
            score = (
                500 + LOCATION_SHIFT.get(s.sampled_school.school.location, 0) + spread * school_z[s.sampled_school_id] + rng.gauss(0, 85)
            )
            score += 8 if s.sex == "F" else 0
            rows.append([s.monitoring_id, label, "", round(min(1000, max(0, score)), 1)])
        _import(
            rnd,
            user,
            kind=ResultImport.Kind.SCORES,
            domain=domain,
            name=f"{domain}-scores.csv",
            data=_csv(["监测编号", "学科领域", "状态", "成绩"], rows),
        )
    pe = _import(
        rnd,
        user,
        kind=ResultImport.Kind.PE,
        domain="",
        name="pe-health.csv",
        data=_csv(
            ["监测编号", "状态", *(header for header, _f, _lo, _hi in PE_ITEMS)],
            [_pe_row(s, rng) for s in students],
        ),
    )
    _double_entry(rnd, pe, uploader=user)
    _references(rnd)
    from .services import diagnose

    diagnose(rnd=rnd, user=user)


def _double_entry(rnd: Round, pe: ResultImport, *, uploader) -> None:
    """The PE sheets came back on paper: a recorded 5 % of them was typed again by the office's
    clerk (the second county-staff account), one height with two digits swapped, and the
    monitoring office (the first account, who typed neither) decided it from the sheet: the
    first entry was right. Done through the real double entry, in the results stage."""
    from rounds.models import Stage

    from .models import RowDisagreement
    from .verification import _first_values, disagreement_decide, second_entry_save, verification_draw

    staff = [p.user for p in rnd.county.people.filter(role="county_staff").select_related("user").order_by("pk")]
    if len(staff) < 2 or pe.state != ResultImport.State.ACTIVE or uploader in staff[:2]:
        return
    decider, clerk = staff[0], staff[1]
    stage = rnd.stage
    Round.objects.filter(pk=rnd.pk).update(stage=Stage.RESULTS)
    rnd.refresh_from_db()
    verification = verification_draw(result_import=pe, user=decider, seed=2026)
    mistyped = False
    for row in verification.rows.order_by("student__monitoring_id"):
        second = _first_values(pe, row.student_id)
        height = second.get("height_cm")
        if not mistyped and height and int(height) % 100 // 10 != int(height) % 10:
            tens, units = int(height) % 100 // 10, int(height) % 10  # 135.2 typed as 153.2
            second["height_cm"] = round(height + 9 * (units - tens), 1)
            mistyped = True
        second_entry_save(row=row, second=second, user=clerk)
    for disagreement in RowDisagreement.objects.filter(row__verification=verification):
        disagreement_decide(disagreement=disagreement, choice=RowDisagreement.Choice.FIRST, user=decider)
    Round.objects.filter(pk=rnd.pk).update(stage=stage)
    rnd.refresh_from_db()


def _zh_label(domain: str) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(dict(Domain.choices)[domain])


def _pe_row(s, rng: random.Random) -> list:
    if s.pe_exempt:
        return [s.monitoring_id, "免测", *([""] * len(PE_ITEMS))]
    grade = s.sampled_school.grade
    boy = s.sex == "M"
    height = rng.gauss(138 if grade == 4 else 163 + (5 if boy else 0), 6.5)
    # BMI skewed to the right, with a heavier group (about one child in ten) that is obese.
    heavy = rng.uniform(4, 8) if rng.random() < 0.1 else 0.0
    bmi = (16.6 if grade == 4 else 19.0) * math.exp(rng.gauss(0, 0.11)) + heavy
    weight = bmi * (height / 100) ** 2
    acuity = rng.gauss(5.05 if grade == 4 else 4.75, 0.22)

    def eye() -> float:
        return round(min(5.3, max(4.0, acuity + rng.gauss(0, 0.08))), 1)

    return [
        s.monitoring_id,
        "",
        round(height, 1),
        round(weight, 1),
        eye(),
        eye(),
        round(rng.gauss(1700 if grade == 4 else 2900, 350)),
        round(min(29, max(6, rng.gauss(9.8 if grade == 4 else 8.4, 0.9))), 1),
        round(rng.gauss(6, 5), 1),
        round(max(0, rng.gauss(110 if grade == 4 else 140, 25))),
    ]


NOTES = {
    "province": "省级监测结果反馈（示例）",
    "nation": "国家义务教育质量监测报告（示例）",
    "previous": "本县上一周期监测结果反馈（示例，系统中无该轮数据）",
}


def _references(rnd: Round) -> None:
    """The province's values and the county's previous round, as a county would enter them."""
    previous = rnd.year - 3
    for grade in rnd.grades:
        values = [
            ("province", rnd.year, "math", "mean", 510.0, 3.0),
            ("nation", rnd.year, "math", "mean", 500.0, 1.0),
            ("province", rnd.year, "math", "icc", 0.15, 0.0),
            ("province", rnd.year, "pe_health", "poor_vision", 0.45 if grade == 4 else 0.70, 0.01),
            ("previous", previous, "pe_health", "obese", 0.05, 0.01),
            ("previous", previous, "pe_health", "normal_weight", 0.78, 0.02),
            ("previous", previous, "math", "mean", 505.0, 8.0),
        ]
        for source, year, domain, indicator, value, se in values:
            ReferenceValue.objects.get_or_create(
                county=rnd.county,
                round=rnd,
                source=source,
                year=year,
                domain=domain,
                grade=grade,
                indicator=indicator,
                defaults={"value": value, "se": se, "note": NOTES[source]},
            )
