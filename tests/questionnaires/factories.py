"""Sampled schools and students made directly (the sampling slice is built beside this one)."""

import datetime as dt
import itertools

from sampling.models import SampledSchool, SampledStudent

_serial = itertools.count(1)
_student = itertools.count(1)


def sampled_school(*, rnd, school, grade=4, students=0):
    serial = next(_serial)
    ss = SampledSchool.objects.create(
        round=rnd,
        grade=grade,
        school=school,
        serial=serial,
        enrolment=60,
        probability=0.5,
        weight=2.0,
    )
    for _i in range(students):
        sampled_student(ss)
    return ss


def sampled_student(ss, **extra):
    n = next(_student)
    values = {
        "sampled_school": ss,
        "monitoring_id": f"{ss.round.county.code}{ss.grade}{ss.serial:03d}{n:04d}",
        "name": f"学生{n}",
        "sex": "M" if n % 2 else "F",
        "birth_date": dt.date(2017, 3, 1),
        "within_probability": 0.5,
        "final_weight": 4.0,
    }
    values.update(extra)
    return SampledStudent.objects.create(**values)
