"""A round of the ``world`` county taken through sampling with the real services."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from rounds.models import Stage
from sampling import services, students
from sampling.models import SampledSchool

SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ["小明", "建国", "秀英", "志强", "丽华", "海燕", "静", "伟"]


def roster_rows(n: int, *, grade: int, start: int = 0) -> list[dict]:
    born_year = 2017 if grade == 4 else 2013
    return [
        {
            "name": SURNAMES[i % 10] + GIVEN[(i // 10) % 8] + ("甲乙丙丁戊己庚辛壬癸"[i // 80 % 10] if i >= 80 else ""),
            "sex": "M" if i % 2 else "F",
            "birth_date": dt.date(born_year, 1 + i % 12, 1 + i % 28),
            "grade": grade,
            "class_name": f"{1 + i % 3}班",
            "student_number": f"G369901{born_year}{i + start:08d}",
        }
        for i in range(n)
    ]


def roster_workbook(rows: list[dict], *, headers=("姓名", "性别", "出生日期", "年级", "班级", "学籍号")) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for r in rows:
        sheet.append(
            [r["name"], "男" if r["sex"] == "M" else "女", r["birth_date"], r["grade"], r["class_name"], r["student_number"]][
                : len(headers)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def open_sampling(world):
    world.round.stage = Stage.SAMPLING
    world.round.save()


def build_frame(world, *, grade4=40, grade8=25):
    open_sampling(world)
    services.frame_build(rnd=world.round, user=world.staff)
    services.frame_update(rnd=world.round, enrolments={world.school_a.pk: (grade4, 0), world.school_b.pk: (0, grade8)}, user=world.staff)


def draw_and_confirm_schools(world):
    for grade in (4, 8):
        draw = services.school_draw_run(
            rnd=world.round, grade=grade, n=services.DEFAULT_N[grade], seed=7, sort_order="location,school_type,size", user=world.staff
        )
        services.school_draw_confirm(draw=draw, user=world.staff)
    return (
        SampledSchool.objects.get(round=world.round, school=world.school_a),
        SampledSchool.objects.get(round=world.round, school=world.school_b),
    )


@pytest.fixture
def drawn_schools(world):
    build_frame(world)
    return draw_and_confirm_schools(world)


@pytest.fixture
def sampled(world, drawn_schools):
    """Schools drawn and confirmed, rosters in (40 and 25 pupils), students drawn and confirmed."""
    a, b = drawn_schools
    students.roster_replace(sampled=a, rows=roster_rows(40, grade=4), user=world.coord_a)
    students.roster_replace(sampled=b, rows=roster_rows(25, grade=8), user=world.coord_b)
    students.student_draw_run(rnd=world.round, seed=11, user=world.staff)
    students.student_draw_confirm(rnd=world.round, user=world.staff)
    a.refresh_from_db()
    b.refresh_from_db()
    return a, b
