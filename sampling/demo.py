"""The demo round's sample: a frame from the demo schools, both school draws confirmed,
generated rosters for the sampled schools and a confirmed student draw."""

from __future__ import annotations

import datetime as dt
import random

from monitoring_site.audit import history_user
from rounds.models import Round, SchoolType, Stage

from . import services, students
from .models import SampledSchool

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛"
)
GIVEN = "子梓浩宇轩涵欣怡雨佳思俊博文雅嘉明晨一诗睿泽语可心若鑫杰瑞彤萱琪颖宁安然辰妍昊天乐悦铭阳晗梦瑶琳晴"
# Share of a school's pupils in one monitored grade, by school type (grades it holds).
GRADE_SHARE = {
    SchoolType.PRIMARY: (1 / 6, 0),
    SchoolType.TEACHING_POINT: (1 / 4, 0),
    SchoolType.NINE_YEAR: (1 / 9, 1 / 9),
    SchoolType.TWELVE_YEAR: (1 / 12, 1 / 12),
    SchoolType.JUNIOR: (0, 1 / 3),
    SchoolType.COMPLETE_MIDDLE: (0, 1 / 6),
}


def _enrolments(school, rng: random.Random) -> tuple[int, int]:
    share4, share8 = GRADE_SHARE.get(school.school_type, (0, 0))
    count = school.student_count or 0
    if school.school_type == SchoolType.TEACHING_POINT and rng.random() < 0.5:
        share4 = 0  # many teaching points keep only grades 1–3
    return round(count * share4 * rng.uniform(0.85, 1.15)), round(count * share8 * rng.uniform(0.85, 1.15))


def _roster(sampled: SampledSchool, rng: random.Random, test_day: dt.date) -> list[dict]:
    born = test_day.year - (10 if sampled.grade == 4 else 14)
    rows = []
    for i in range(sampled.enrolment):
        birth = dt.date(born - (1 if rng.random() < 0.4 else 0), 1, 1) + dt.timedelta(days=rng.randrange(365))
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        rows.append(
            {
                "name": rng.choice(SURNAMES) + given,
                "sex": rng.choice("MF"),
                "birth_date": birth,
                "class_name": f"{1 + i % max(1, sampled.enrolment // 45 + 1)}班",
                "student_number": f"G{sampled.round.county.code}{birth.year}{sampled.grade}{sampled.serial:02d}{i:05d}",
            }
        )
    return rows


def load_demo(*, rnd: Round, rng: random.Random) -> None:
    user = rnd.created_by
    assert user is not None  # load_demo's rounds are created by county staff
    if rnd.stage == Stage.SETUP:
        rnd.stage = Stage.SAMPLING
        history_user(rnd, user)
        rnd.save()
    services.frame_build(rnd=rnd, user=user)
    plan = services.plan_for(rnd)
    enrolments = {fs.school_id: _enrolments(fs.school, rng) for fs in plan.schools.select_related("school")}
    services.frame_update(rnd=rnd, enrolments=enrolments, user=user)
    for grade in rnd.grades:
        draw = services.school_draw_run(
            rnd=rnd, grade=grade, n=services.DEFAULT_N[grade], seed=rng.randrange(10**9), sort_order="location,school_type,size", user=user
        )
        services.school_draw_confirm(draw=draw, user=user)
    for sampled in SampledSchool.objects.filter(round=rnd).select_related("round__county"):
        students.roster_replace(sampled=sampled, rows=_roster(sampled, rng, rnd.test_start), user=user)
    students.student_draw_run(rnd=rnd, seed=rng.randrange(10**9), user=user)
    students.student_draw_confirm(rnd=rnd, user=user)
    first = SampledSchool.objects.filter(round=rnd).order_by("grade", "serial").first()
    student = first.students.order_by("monitoring_id").last() if first else None
    if student:
        students.student_exclude(student=student, code="left", reason="已转学（演示）", user=user)
