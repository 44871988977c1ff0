"""Sampled schools and students created directly (the sampling slice's own services are not
needed here), and score files written as real .xlsx and .csv."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook

from sampling.models import SampledSchool, SampledStudent


def make_sample(rnd, *, schools, grade: int = 4, per_school: int = 4, weights=None, sexes="FM") -> list[SampledStudent]:
    """``per_school`` students in each school, monitoring IDs G{grade}S{serial}-{n}."""
    students = []
    for serial, school in enumerate(schools, start=1):
        weight = weights[serial - 1] if weights else 10.0
        sampled = SampledSchool.objects.create(
            round=rnd,
            grade=grade,
            school=school,
            serial=serial + grade * 100,
            enrolment=int(weight * per_school),
            probability=0.5,
            weight=2.0,
        )
        for n in range(per_school):
            students.append(
                SampledStudent.objects.create(
                    sampled_school=sampled,
                    monitoring_id=f"{rnd.county.code}G{grade}S{serial:02d}-{n + 1:02d}",
                    name="",
                    sex=sexes[n % len(sexes)],
                    birth_date=dt.date(2017, 3, 1),
                    within_probability=0.5,
                    final_weight=weight,
                )
            )
    return students


def xlsx_bytes(rows, *, header) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, header, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


SCORE_HEADER = ["监测编号", "学科领域", "状态", "成绩"]
PE_HEADER = [
    "监测编号",
    "状态",
    "身高(cm)",
    "体重(kg)",
    "左眼视力",
    "右眼视力",
    "肺活量(ml)",
    "50米跑(秒)",
    "坐位体前屈(cm)",
    "一分钟跳绳(次)",
]
