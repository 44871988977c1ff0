"""A rectification world on top of the shared ``world``: an approved plan with an item led by
the department user's department, one led by another department, and the same abroad."""

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile

from monitoring_site.roles import Role
from rectification import services
from rectification.models import PlanItem, Problem
from results.models import Finding
from rounds.models import Stage

from ..factories import DepartmentFactory, PersonFactory

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
TODAY = dt.date(2027, 9, 1)


def pdf(name="evidence.pdf"):
    return ContentFile(PDF, name=name)


def open_rectification(rnd):
    rnd.stage = Stage.RECTIFICATION
    rnd.save(update_fields=["stage"])


def add_item(*, plan, problem, lead, user, deadline, cooperating=(), **extra):
    item = PlanItem(
        plan=plan,
        problem=problem,
        goal=extra.pop("goal", f"整改目标 {problem.title}"),
        measures="一是……；二是……",
        lead_department=lead,
        deadline=deadline,
        **extra,
    )
    return services.item_save(item=item, cooperating=list(cooperating), user=user, expected_version=None)


@dataclass
class County:
    finding: Finding
    problem: Problem
    plan: object
    item: PlanItem
    other_item: PlanItem
    progress: object
    evidence: object


def build_county(*, rnd, staff, dept_user, department, other_department, deadline) -> County:
    open_rectification(rnd)
    finding = Finding.objects.create(
        round=rnd,
        rule="math_between_school_cv",
        domain="math",
        grade=4,
        title="县域内学生数学学业表现校间差异较大",
        evidence={"cv": 0.31},
        evidence_text="校间差异系数 0.31",
    )
    problem = services.problem_create(
        rnd=rnd,
        title="学生视力不良检出率高",
        user=staff,
        source=Problem.Source.FEEDBACK_LETTER,
        source_reference="反馈函〔2027〕3号",
    )
    plan = services.plan_ensure(rnd=rnd, user=staff)
    item = add_item(plan=plan, problem=problem, lead=department, user=staff, deadline=deadline)
    other = add_item(plan=plan, problem=problem, lead=other_department, user=staff, deadline=deadline)
    plan.refresh_from_db()
    services.plan_approve(plan=plan, user=staff, expected_version=plan.version)
    item.refresh_from_db()
    progress = services.progress_post(item=item, text="已部署", percent=30, marks_done=False, files=[pdf()], user=dept_user)
    return County(finding, problem, plan, item, other, progress, progress.files.get())


def build(world, *, deadline=TODAY + dt.timedelta(days=30)):
    world.rect = build_county(
        rnd=world.round,
        staff=world.staff,
        dept_user=world.dept_user,
        department=world.department,
        other_department=world.other_department,
        deadline=deadline,
    )
    foreign_dept = DepartmentFactory(county=world.other_county, name="外县教研室")
    foreign_other = DepartmentFactory(county=world.other_county, name="外县财务股")
    foreign_dept_user = PersonFactory(county=world.other_county, role=Role.DEPARTMENT, department=foreign_dept).user
    world.foreign_rect = build_county(
        rnd=world.foreign_round,
        staff=world.foreign_staff,
        dept_user=foreign_dept_user,
        department=foreign_dept,
        other_department=foreign_other,
        deadline=deadline,
    )
    return world
