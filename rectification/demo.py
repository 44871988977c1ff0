"""Demo rectification: the six problems of a real county's feedback, a plan approved with items
on time, due soon, overdue and closed (relative to today), and a few progress reports."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.base import ContentFile
from django.utils import timezone

from monitoring_site.roles import Role
from results.models import Finding
from rounds.models import Department, Person, Round, Stage

from . import services
from .models import PlanItem, Problem

PROBLEMS = [
    (
        "县域内学生数学学业表现校间差异较大",
        "基础教育股",
        "教师发展中心（教研室）",
        45,
        "缩小县域内义务教育学校校际间差距，把数学学业表现校间差异控制在合理范围内。",
        "推进城乡义务教育一体化；规范招生，均衡生源；探索集团化办学，落实校长教师交流轮岗。",
    ),
    (
        "数学周课时数超标的学校比例较高",
        "基础教育股",
        "县人民政府教育督导室",
        6,
        "开齐开足开好国家规定课程，不随意增减课时。",
        "全面实施国家课程计划；开学检查中专项督查课时安排，发现问题限期整改并纳入年终考评。",
    ),
    (
        "学生身体形态正常比例有所下降，肥胖率有所上升",
        "体卫艺股",
        "县卫生健康局",
        -3,
        "学生体质健康达标优良率达到20%以上。",
        "保证每天一小时校园体育活动；科学搭配学校食堂膳食；定期举办体育竞赛活动。",
    ),
    (
        "学生视力不良检出率高，睡眠时间不足",
        "体卫艺股",
        "县卫生健康局",
        -12,
        "近视率每年降低1个百分点以上；小学生睡眠不少于10小时，初中生不少于9小时。",
        "建立近视防控联席会议机制；强化正确用眼习惯；落实作业与作息规定。",
    ),
    (
        "体育教师教学行为有待规范",
        "人事股",
        "体卫艺股",
        20,
        "配齐体育教师，加强培养，提升体育教研水平。",
        "加大体育教师招聘力度；实施国培、省培、县培计划，三年全员轮训。",
    ),
    (
        "数学教师培训形式单一、偏理论、时间安排不够合理",
        "教师发展中心（教研室）",
        "人事股",
        30,
        "培训的针对性、实践性得到提高，时间安排合理。",
        "训前需求调研，分层分类培训；集中培训与网络研修结合；避免占用教师休息时间。",
    ),
]
# The plan text for the two diagnosed findings the demo turns into problems, by the finding's rule:
# (lead, cooperating, days to the deadline, goal, measures), as in PROBLEMS.
FINDING_PLANS = {
    "pe_activity_below_norm": (
        "体卫艺股",
        "基础教育股",
        60,
        "保证学生每天校内体育活动时间不少于1小时。",
        "落实大课间和课后体育活动制度；体育课不被挤占；每学期抽查各校体育活动时间并通报。",
    ),
    "homework_above_norm": (
        "基础教育股",
        "教师发展中心（教研室）",
        14,
        "落实“双减”作业规定：初中书面作业平均完成时间不超过90分钟。",
        "学校建立作业公示与统筹制度；教研室开展作业设计专题教研；督导室开展作业管理专项督导。",
    ),
}
GUIDING = (
    "以落实立德树人根本任务为目标，认真研判国家义务教育质量监测反馈的主要问题，深入查找根源，"
    "制定切实可行的整改措施，立行立改、限期整改，推动县域义务教育优质均衡发展。"
)
LEADERSHIP = (
    "成立由县政府分管领导任组长，县教育局局长、县政府教育督导室主任任副组长，教育、财政、人社、"
    "卫健、编办等部门负责人为成员的整改工作领导小组，统一部署、明确分工、各司其责。"
)


def load_demo(*, rnd: Round, rng: random.Random) -> None:
    today = timezone.localdate()
    staff = Person.objects.filter(county=rnd.county, role=Role.COUNTY_STAFF).select_related("user").first()
    user = staff.user if staff else rnd.created_by
    assert user is not None  # load_demo's rounds are created by county staff
    if rnd.stage not in services.WRITABLE_STAGES:
        Round.objects.filter(pk=rnd.pk).update(stage=Stage.RECTIFICATION)
        rnd.refresh_from_db()
    departments = {d.name: d for d in Department.objects.filter(county=rnd.county)}
    if not departments:
        return
    fallback = next(iter(departments.values()))
    plan = services.plan_ensure(rnd=rnd, user=user)
    plan = services.plan_update(
        plan=plan,
        expected_version=plan.version,
        user=user,
        guiding_principle=GUIDING,
        leadership_group=LEADERSHIP,
    )
    dept_people = {p.department_id: p for p in Person.objects.filter(county=rnd.county, role=Role.DEPARTMENT)}
    # Each problem is planned with its own text: a pairing by position gave one problem another's goal.
    planned: list[tuple[Problem, tuple]] = []
    for rule, text in FINDING_PLANS.items():
        finding = Finding.objects.filter(round=rnd, status=Finding.Status.OPEN, rule=rule).order_by("-grade").first()
        if finding is not None:
            planned.append((services.problem_from_finding(finding=finding, user=user), text))
    for title, *rest in PROBLEMS:
        problem = services.problem_create(
            rnd=rnd,
            title=title,
            source=Problem.Source.FEEDBACK_LETTER,
            source_reference="省教育督导委员会办公室反馈函",
            user=user,
        )
        planned.append((problem, tuple(rest)))
    for problem, (lead, coop, days, goal, measures) in planned:
        lead_dept = departments.get(lead, fallback)
        item = PlanItem(
            plan=plan,
            problem=problem,
            goal=goal,
            measures=measures,
            lead_department=lead_dept,
            deadline=today + dt.timedelta(days=days),
            responsible=dept_people.get(lead_dept.pk),
            milestones=[{"date": (today + dt.timedelta(days=days - 20)).isoformat(), "title": "阶段检查"}],
        )
        if "20%" in goal:
            item.indicator, item.target_direction, item.target_value = (
                "体质健康优良率(%)",
                "at_least",
                20,
            )
        services.item_save(
            item=item,
            cooperating=[departments[coop]] if coop in departments else [],
            user=user,
            expected_version=None,
        )
    PlanItem.objects.filter(plan=plan).update(created_at=timezone.now() - dt.timedelta(days=60))
    plan.refresh_from_db()
    services.plan_approve(plan=plan, user=user, expected_version=plan.version)
    _demo_progress(plan, user, today)


def _demo_progress(plan, staff_user, today) -> None:
    items = list(plan.items.select_related("responsible__user").order_by("approved_deadline"))
    for item in items[:4]:
        reporter = item.responsible.user if item.responsible else staff_user
        report = services.progress_post(
            item=item,
            text="已召开专题会议，制定分工方案，正在推进。",
            percent=40,
            marks_done=False,
            files=[],
            user=reporter,
        )
        if item.approved_deadline and item.approved_deadline < today:
            services.progress_verify(progress=report, accept=True, user=staff_user, today=today)
    last = items[-1]
    evidence = ContentFile(b"%PDF-1.4\n% demo evidence\n", name="培训方案.pdf")
    done = services.progress_post(
        item=last,
        text="培训方案已印发，首期培训已完成。",
        percent=100,
        marks_done=True,
        files=[evidence],
        user=last.responsible.user if last.responsible else staff_user,
    )
    services.progress_verify(progress=done, accept=True, user=staff_user, today=today)
