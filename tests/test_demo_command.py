"""The README's first command loads a demo round that has reached every stage (issue 9 §1).

The command runs whole, as `make run` runs it. The documents it queues are built once the
demo commits; the suite's transaction never commits, so here they stay queued (building
them is tested in tests/reports and tests/integration) and the test checks what was asked.
"""

from django.core.management import call_command
from django.utils import timezone

from logistics import models as logistics_models
from logistics.models import Checklist, ChecklistStatus, Handover, Incident, MockDrill, Package
from monitoring_site.roles import REGION_ROLES, Role
from questionnaires.models import Kind, Response
from rectification import demo as rectification_demo
from rectification.models import Plan, PlanItem
from results.models import Finding, PeMeasurement, ResultImport, StudentScore
from rounds.models import Document, Person, Round
from sampling.models import FrameSchool, Roster, SampledSchool, SampledStudent, SchoolDraw, StudentDraw


def test_the_demo_round_has_reached_every_stage(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    rnd = Round.objects.get(county__code="369901")
    today = timezone.localdate()

    # people: one account per role, each with its scope
    assert set(Person.objects.filter(county=rnd.county).values_list("role", flat=True)) == set(Role.values) - REGION_ROLES
    offices = Person.objects.filter(role__in=REGION_ROLES)
    assert {(p.role, p.region) for p in offices} == {(Role.CITY_OFFICE, rnd.county.city), (Role.PROVINCE_OFFICE, rnd.county.province)}

    # every school-side account looks after schools of the sample, so its pages have content
    sampled_ids = set(SampledSchool.objects.filter(round=rnd).values_list("school_id", flat=True))
    for person in Person.objects.filter(county=rnd.county, role__in=[Role.COORDINATOR, Role.INSPECTOR, Role.MONITOR]):
        assert person.schools.exists() and set(person.schools.values_list("pk", flat=True)) <= sampled_ids, person

    # sampling: frame, confirmed draws for both grades, rosters and sampled students with names
    assert FrameSchool.objects.filter(plan__round=rnd).count() > 100
    assert SchoolDraw.objects.filter(round=rnd).values("grade").distinct().count() == 2
    sampled = SampledSchool.objects.filter(round=rnd)
    assert set(sampled.values_list("grade", flat=True)) == {4, 8}
    students = SampledStudent.objects.filter(sampled_school__round=rnd)
    assert students.count() >= 20 * 25 and not students.filter(name="").exists()
    assert StudentDraw.objects.filter(sampled_school__round=rnd).exists()
    assert Roster.objects.filter(sampled_school__round=rnd).count() == sampled.exclude(status=SampledSchool.Status.REPLACED).count()

    # logistics: checklists in every state, a drill, attendance, custody with one incident
    states = set(Checklist.objects.filter(round=rnd).values_list("status", flat=True))
    assert states == set(ChecklistStatus.values)
    assert MockDrill.objects.filter(round=rnd).exists()
    assert logistics_models.Attendance.objects.filter(record__sampled_school__round=rnd).exists()
    assert Package.objects.filter(round=rnd).exists() and Handover.objects.filter(package__round=rnd).exists()
    assert Incident.objects.filter(round=rnd).count() >= 1

    # the tour's school (xuexiao1's): every session recorded, and whoever missed a domain's session has no score in it
    tour = Person.objects.get(user__username="xuexiao1").schools.get()
    tour_sampled = sampled.filter(school=tour).exclude(status=SampledSchool.Status.REPLACED).get()
    sessions = rnd.sessions.filter(grade=tour_sampled.grade)
    assert logistics_models.SessionRecord.objects.filter(sampled_school=tour_sampled).count() == sessions.count()
    for domain in rnd.domains:
        missed = set(
            logistics_models.Attendance.objects.filter(
                record__sampled_school=tour_sampled, record__session__domain=domain, status="absent"
            ).values_list("student_id", flat=True)
        )
        scored = StudentScore.objects.filter(result_import__round=rnd, result_import__state="active", result_import__domain=domain)
        own = scored.filter(student__sampled_school=tour_sampled)
        absent_in_scores = set(own.exclude(attendance="present").values_list("student_id", flat=True))
        assert missed == absent_in_scores, domain

    # questionnaires: submitted responses from students and teachers
    submitted = Response.objects.filter(access_code__round=rnd, submitted_at__isnull=False)
    assert submitted.filter(instrument__kind=Kind.STUDENT).exists() and submitted.filter(instrument__kind=Kind.TEACHER).exists()

    # results: active score and PE-health imports, findings with evidence
    assert ResultImport.objects.filter(round=rnd, state=ResultImport.State.ACTIVE).count() >= 2
    assert StudentScore.objects.filter(result_import__round=rnd).exists() and PeMeasurement.objects.exists()
    assert Finding.objects.filter(round=rnd).exclude(evidence={}).exists()

    # reports: the plan, the county report and one letter per sampled school, queued for the worker
    documents = Document.objects.filter(round=rnd)
    assert documents.filter(kind="county_report").count() == 1 and documents.filter(kind="round_plan").count() == 1
    taking_part = sampled.exclude(status=SampledSchool.Status.REPLACED)
    assert sorted(documents.filter(kind="school_letter").values_list("subject", flat=True)) == sorted(
        str(pk) for pk in taking_part.values_list("pk", flat=True)
    )
    assert len(queued) == 3  # plan, report, and the letters' group

    # rectification: an approved plan with items on time, due soon and overdue
    plan = Plan.objects.get(round=rnd)
    assert plan.is_approved
    active = PlanItem.objects.filter(plan=plan).exclude(status__in=["closed", "withdrawn"])
    assert active.filter(approved_deadline__lt=today).exists()
    assert active.filter(approved_deadline__gte=today, approved_deadline__lte=today + timezone.timedelta(days=plan.due_soon_days)).exists()
    assert active.filter(approved_deadline__gt=today + timezone.timedelta(days=plan.due_soon_days)).exists()
    # each item is planned for its own problem: the goal, measures and lead department written for it
    own_text = {title: (lead, goal, measures) for title, lead, _coop, _days, goal, measures in rectification_demo.PROBLEMS}
    items = PlanItem.objects.filter(plan=plan).select_related("problem__finding", "lead_department")
    for item in items:
        if item.problem.finding_id:
            lead, _coop, _days, goal, measures = rectification_demo.FINDING_PLANS[item.problem.finding.rule]
        else:
            lead, goal, measures = own_text[item.problem.title]
        assert (item.lead_department.name, item.goal, item.measures) == (lead, goal, measures), item.problem.title
    assert len({item.goal for item in items}) == items.count() == len(rectification_demo.PROBLEMS) + 2

    # running it again leaves the demo as it is
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Round.objects.filter(county__code="369901").count() == 1 and Document.objects.filter(round=rnd).count() == documents.count()
