"""Load the demo county: ~240 schools with plausible names and sizes, its departments,
one round and one account per role. Safe to run again: an existing demo is left as it is."""

import datetime as dt
import random
from importlib import import_module
from importlib.util import find_spec

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from monitoring_site.roles import Role
from rounds.documents import document_kinds, document_request
from rounds.letters import LETTER, school_letters_request
from rounds.models import County, Department, Document, Person, School, SchoolType
from rounds.selectors import WORKFLOW_APPS
from rounds.services import region_city_ensure, round_create

DEMO_PASSWORD = "Jiance@2027"  # noqa: S105 - the demo accounts, printed on purpose
COUNTY = {"code": "369901", "name": "青山县", "hotline": "0790-12345678"}
REGION = {"province": "华阳省", "city": "东陵市"}
TOWNS = [
    "城关镇",
    "青溪镇",
    "石桥镇",
    "龙泉镇",
    "白沙镇",
    "长岭镇",
    "枫林镇",
    "梅江镇",
    "横岗乡",
    "大坪乡",
    "塘头乡",
    "松山乡",
    "桃源乡",
    "黄坑乡",
    "上坪乡",
    "下洲乡",
    "高田乡",
    "凤岭乡",
]
VILLAGES = [
    "东坑",
    "西岭",
    "南山",
    "北塘",
    "上屋",
    "下坊",
    "中村",
    "新田",
    "老街",
    "竹园",
    "杨梅",
    "樟树",
    "石门",
    "黄泥",
    "罗坑",
    "李家",
    "陈屋",
    "刘坊",
    "高岭",
    "水口",
    "坪上",
    "洋田",
    "湖洋",
    "官庄",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["建国", "秀英", "志强", "丽华", "国平", "海燕", "明", "静", "伟", "芳", "军", "敏", "勇", "艳", "杰", "娟", "磊", "霞"]
DEPARTMENTS = [
    "基础教育股",
    "体卫艺股",
    "教师发展中心（教研室）",
    "计划财务股",
    "人事股",
    "县卫生健康局",
    "县财政局",
    "县人民政府教育督导室",
]
ACCOUNTS = [
    ("jiance", "王监测", Role.COUNTY_STAFF),
    # The office's data-entry clerk: the second entry of the paper PE sheets (二次录入).
    ("luru", "吴录入", Role.COUNTY_STAFF),
    ("lingdao", "李局长", Role.LEADER),
    ("ducha1", "陈督学", Role.INSPECTOR),
    ("xuexiao1", "刘联络", Role.COORDINATOR),
    ("xuexiao2", "赵联络", Role.COORDINATOR),
    ("jianceyuan1", "周监测员", Role.MONITOR),
    ("jiaoyan", "黄教研", Role.DEPARTMENT),
    # The supervision offices of the county's city and province: the counties side by side.
    ("shiji", "孙督导", Role.CITY_OFFICE),
    ("shengji", "钱督导", Role.PROVINCE_OFFICE),
]


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def demo_schools(rng: random.Random) -> list[dict]:
    """Town centre schools, village primaries and teaching points; sizes follow the location."""
    schools: list[dict] = []

    def add(name, school_type, location, size_range, town):
        serial = len(schools) + 1
        schools.append(
            {
                "code": f"3699{serial:06d}",
                "name": name,
                "school_type": school_type,
                "location": location,
                "address": f"{COUNTY['name']}{town}",
                "principal": _person_name(rng),
                "contact_person": _person_name(rng),
                "contact_phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
                "student_count": rng.randint(*size_range),
            }
        )

    for n, name in enumerate(["第一小学", "第二小学", "第三小学", "实验小学", "城南小学", "城北小学", "育才小学", "阳光小学"]):
        add(f"{COUNTY['name']}{name}", SchoolType.PRIMARY, "urban", (1200, 3000) if n < 4 else (700, 1800), "城关镇")
    for name in ["第一中学", "第二中学", "城东中学", "实验中学"]:
        add(f"{COUNTY['name']}{name}", SchoolType.JUNIOR, "urban", (1500, 3200), "城关镇")
    add(f"{COUNTY['name']}外国语学校", SchoolType.NINE_YEAR, "urban", (1800, 3500), "城关镇")
    add(f"{COUNTY['name']}中学", SchoolType.COMPLETE_MIDDLE, "urban", (2500, 4500), "城关镇")
    add(f"{COUNTY['name']}博文学校", SchoolType.TWELVE_YEAR, "urban", (2000, 3800), "城关镇")
    villages = iter(rng.sample(VILLAGES * 8, len(VILLAGES) * 8))
    for town in TOWNS[1:]:
        is_town = town.endswith("镇")
        location = "town" if is_town else "rural"
        add(f"{town}中心小学", SchoolType.PRIMARY, location, (500, 1400) if is_town else (250, 700), town)
        if is_town:
            add(f"{town}中学", SchoolType.JUNIOR, "town", (600, 1500), town)
            add(f"{town}第二中学", SchoolType.NINE_YEAR, "town", (500, 1200), town)
        else:
            add(f"{town}九年一贯制学校", SchoolType.NINE_YEAR, "rural", (300, 900), town)
        for _ in range(rng.randint(7, 9)):
            village = next(villages)
            add(f"{town}{village}小学", SchoolType.PRIMARY, "rural", (60, 360), town)
        for _ in range(rng.randint(3, 4)):
            village = next(villages)
            add(f"{town}{village}教学点", SchoolType.TEACHING_POINT, "rural", (8, 60), town)
    return _dedupe_names(schools)


def _dedupe_names(schools: list[dict]) -> list[dict]:
    seen: dict[str, int] = {}
    for school in schools:
        count = seen.get(school["name"], 0)
        seen[school["name"]] = count + 1
        if count:
            school["name"] = school["name"].replace("小学", f"第{count + 1}小学").replace("教学点", f"第{count + 1}教学点")
    return schools


class Command(BaseCommand):
    help = "Load the demo county, its schools, departments, a round and one account per role."

    def add_arguments(self, parser):
        parser.add_argument("--no-documents", action="store_true", help="do not build the round's documents (benchmarks build their own)")

    def handle(self, *args, **options):
        self.documents = not options["no_documents"]
        with transaction.atomic():
            rnd = self._load()
        if rnd is not None and self.documents:  # built on commit, unless a worker takes them
            self._report_documents(rnd)

    def _load(self):
        if County.objects.filter(code=COUNTY["code"]).exists():
            self.stdout.write("演示数据已存在 (the demo county is already loaded).")
            self._print_accounts()
            return None
        rng = random.Random(2027)
        county = County.objects.create(**COUNTY, city=region_city_ensure(**REGION))
        School.objects.bulk_create(School(county=county, **values) for values in demo_schools(rng))
        departments = {name: Department.objects.create(county=county, name=name, leader_name=_person_name(rng)) for name in DEPARTMENTS}
        User = get_user_model()
        admin = User.objects.create_superuser("admin", password=DEMO_PASSWORD, first_name="系统管理员")
        schools = {s.name: s for s in School.objects.filter(county=county)}
        regions = {Role.CITY_OFFICE: county.city, Role.PROVINCE_OFFICE: county.province}
        for username, name, role in ACCOUNTS:
            user = User.objects.create_user(username, password=DEMO_PASSWORD, first_name=name)
            Person.objects.create(
                user=user,
                county=None if role in regions else county,
                region=regions.get(role),
                role=role,
                must_change_password=False,
                department=departments["教师发展中心（教研室）"] if role == Role.DEPARTMENT else None,
            )
        # The demo round was tested last May and has reached rectification by today; its
        # domains are those of cycle year 1 (mathematics, PE and health, mental health).
        rnd = round_create(
            county=county, year=2026, cycle_year=1, test_start=dt.date(2026, 5, 27), test_end=dt.date(2026, 5, 28), user=admin
        )
        for app in WORKFLOW_APPS:  # each later slice takes the demo round one stage further
            if find_spec(f"{app}.demo") is not None:
                import_module(f"{app}.demo").load_demo(rnd=rnd, rng=rng)
        self._scope_to_sample(rnd)
        for milestone in rnd.milestones.filter(due_date__lt=timezone.localdate(), done_on__isnull=True):
            milestone.done_on = milestone.due_date
            milestone.save(update_fields=["done_on"])
        self.stdout.write(
            self.style.SUCCESS(f"已载入演示县 {county.name}：{len(schools)} 所学校，{len(departments)} 个部门，1 个监测轮次。")
        )
        self._print_accounts()
        if self.documents:
            self._queue_documents(rnd=rnd, user=User.objects.get(username="jiance"))
        return rnd

    def _queue_documents(self, *, rnd, user):
        """The round's documents as the office issued them: the implementation plan, the county
        diagnostic report and every school's letter. They are queued like any request and built
        once the demo commits (inline in the embedded default, by a worker when there is one)."""
        kinds = document_kinds()
        for kind in ("round_plan", "county_report"):
            if kind in kinds:
                document_request(rnd=rnd, kind=kind, user=user)
        if LETTER in kinds:
            school_letters_request(rnd=rnd, user=user)
        self.stdout.write("正在生成监测文件：实施安排、区县诊断报告和各校质量分析反馈…… (building the round's documents)")

    def _scope_to_sample(self, rnd):
        """The school-side accounts look after sampled schools, so every page they open has
        something in it: the coordinator of a grade-4 school whose checklist came back for
        changes, the coordinator of a grade-8 school, and an inspector who also has a submitted
        checklist to review."""
        from logistics.models import Checklist, ChecklistStatus
        from sampling.models import SampledSchool

        sampled = SampledSchool.objects.filter(round=rnd).exclude(status=SampledSchool.Status.REPLACED).select_related("school")
        status = dict(Checklist.objects.filter(round=rnd).values_list("school_id", "status"))

        def first(grade, wanted=None):
            schools = [s.school for s in sampled.filter(grade=grade).order_by("serial")]
            return next((s for s in schools if status.get(s.pk) == wanted), schools[0])

        primary, junior = first(4, ChecklistStatus.RETURNED), first(8)
        submitted = first(4, ChecklistStatus.SUBMITTED)
        scopes = {"xuexiao1": [primary], "xuexiao2": [junior], "jianceyuan1": [primary], "ducha1": [primary, junior, submitted]}
        for username, schools in scopes.items():
            Person.objects.get(user__username=username).schools.set(schools)

    def _report_documents(self, rnd):
        documents = Document.objects.filter(round=rnd)
        done = documents.filter(status=Document.Status.DONE).count()
        failed = documents.filter(status=Document.Status.FAILED)
        waiting = documents.count() - done - failed.count()
        self.stdout.write(
            f"监测文件：{done} 份已生成，{failed.count()} 份失败，{waiting} 份排队中 "
            f"(documents: {done} built, {failed.count()} failed, {waiting} queued)."
        )
        # Each reason once: a refusal for want of a CJK font fails every document alike.
        titles_by_error: dict[str, list[str]] = {}
        for title, error in failed.values_list("title", "error"):
            titles_by_error.setdefault(error, []).append(title)
        for error, titles in titles_by_error.items():
            more = f" 等 {len(titles)} 份 (and {len(titles) - 1} more)" if len(titles) > 1 else ""
            self.stderr.write(f"文件生成失败 (document failed): {titles[0]}{more}: {error}")

    def _print_accounts(self):
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）/ demo accounts (password {DEMO_PASSWORD}):")
        people = {p.user.username: p for p in Person.objects.filter(county__code=COUNTY["code"]).prefetch_related("schools")}
        for username, name, role in ACCOUNTS:
            schools = "、".join(s.name for s in people[username].schools.all()) if username in people else ""
            self.stdout.write(f"  {username:<12} {name:<6} {Role(role).label} {schools}".rstrip())
        self.stdout.write("  admin        系统管理员 /admin/")
