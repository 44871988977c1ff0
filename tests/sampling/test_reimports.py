"""A frame or roster re-import that would change or clear what is stored shows its difference
and waits: nothing changes before it is confirmed, confirming applies exactly that
difference (and records who), cancelling leaves the data as it was. A first import, or one
that only adds rows or fills blanks, goes through at once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import translation

from rounds.forms import today
from rounds.models import ImportBatch, SchoolType
from rounds.selectors import todo_for
from sampling import services
from sampling.models import FrameSchool, Roster, RosterEntry
from tests.factories import SchoolFactory

from .conftest import build_frame, roster_rows, roster_workbook
from .test_frame import _workbook as frame_workbook


def _post(client, user, url, data=None):
    client.force_login(user)
    with translation.override("zh-hans"), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302, response.status_code
    return response


def _page(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


# --- the frame ----------------------------------------------------------------------------


@pytest.fixture
def frame_reimport(client, world):
    """The frame at (40, 0) for school A and (0, 25) for school B; the file lowers A's grade 4
    to 0, raises B's grade 8 to 30 and adds a nine-year school."""
    build_frame(world)
    world.nine = SchoolFactory(county=world.county, school_type=SchoolType.NINE_YEAR, code="3699000099")
    rows = [(world.school_a.code, "", 0, 0), (world.school_b.code, "", 0, 30), (world.nine.code, "", 20, 18)]
    url = f"/sampling/rounds/{world.round.pk}/frame/import/"
    _post(client, world.staff, url, {"file": SimpleUploadedFile("抽样框.xlsx", frame_workbook(rows))})
    return ImportBatch.objects.filter(kind="sampling_frame").latest("created_at")


def _frame(world):
    return {fs.school.code: (fs.grade4, fs.grade8) for fs in FrameSchool.objects.select_related("school")}


def _frame_url(world, batch, action=""):
    return f"/sampling/rounds/{world.round.pk}/frame/imports/{batch.pk}/{action}"


def test_a_frame_reimport_shows_its_difference_and_changes_nothing(client, world, frame_reimport):
    assert frame_reimport.status == ImportBatch.Status.AWAITING
    assert frame_reimport.difference == {
        "added": 1,
        "changed": 2,
        "removed": 0,
        "unchanged": 0,
        "emptied": [],
        "changed_columns": {"四年级学生数": 1, "八年级学生数": 1},
        "cleared": {"四年级学生数": 1},  # 40 pupils down to none
        "overwritten": 2,
    }
    assert _frame(world) == {world.school_a.code: (40, 0), world.school_b.code: (0, 25)}
    version = services.plan_for(world.round).frame_version
    page = _page(client, _frame_url(world, frame_reimport))
    assert "四年级学生数" in page and "确认这些修改" in page and "hx-trigger" not in page
    assert services.plan_for(world.round).frame_version == version


def test_confirming_a_frame_reimport_applies_exactly_its_difference(client, world, frame_reimport):
    version = services.plan_for(world.round).frame_version
    _post(client, world.staff, _frame_url(world, frame_reimport, "confirm/"))
    frame_reimport.refresh_from_db()
    assert (frame_reimport.status, frame_reimport.created, frame_reimport.updated) == (ImportBatch.Status.DONE, 1, 2)
    assert _frame(world) == {world.school_a.code: (0, 0), world.school_b.code: (0, 30), world.nine.code: (20, 18)}
    assert services.plan_for(world.round).frame_version == version + 1
    history = FrameSchool.objects.get(school=world.school_a).history.first()
    assert (history.history_user, history.grade4, history.prev_record.grade4) == (world.staff, 0, 40)


def test_cancelling_a_frame_reimport_leaves_the_frame(client, world, frame_reimport):
    _post(client, world.staff, _frame_url(world, frame_reimport, "cancel/"))
    frame_reimport.refresh_from_db()
    assert (frame_reimport.status, frame_reimport.decided_by) == (ImportBatch.Status.CANCELLED, world.staff)
    _post(client, world.staff, _frame_url(world, frame_reimport, "confirm/"))
    assert _frame(world) == {world.school_a.code: (40, 0), world.school_b.code: (0, 25)}


def test_enrolments_into_a_frame_just_built_from_the_registry_need_no_confirmation(client, world):
    build_frame(world, grade4=0, grade8=0)  # every school at 0, as the registry leaves them
    rows = [(world.school_a.code, "", 41, 0), (world.school_b.code, "", 0, 26)]
    url = f"/sampling/rounds/{world.round.pk}/frame/import/"
    _post(client, world.staff, url, {"file": SimpleUploadedFile("f.xlsx", frame_workbook(rows))})
    batch = ImportBatch.objects.filter(kind="sampling_frame").latest("created_at")
    assert (batch.status, batch.updated) == (ImportBatch.Status.DONE, 2)
    assert _frame(world) == {world.school_a.code: (41, 0), world.school_b.code: (0, 26)}


# --- the roster ---------------------------------------------------------------------------

ROWS = roster_rows(42, grade=4)  # the first 40 are the roster in use; 40 and 41 join later


@pytest.fixture
def roster_reimport(client, world, drawn_schools):
    """School A's roster of 40; the new file drops the last pupil, moves the first to another
    class, leaves the second's class blank and adds two pupils."""
    a, _b = drawn_schools
    url = f"/sampling/schools/{a.pk}/roster/upload/"
    _post(client, world.coord_a, url, {"file": SimpleUploadedFile("r.xlsx", roster_workbook(ROWS[:40]))})
    first = ImportBatch.objects.filter(kind="sampling_roster").latest("created_at")
    assert first.status == ImportBatch.Status.DONE, first.errors  # a first roster: no confirmation
    rows = [dict(r) for r in ROWS[:39] + ROWS[40:]]
    rows[0]["class_name"], rows[1]["class_name"] = "9班", ""
    _post(client, world.coord_a, url, {"file": SimpleUploadedFile("r2.xlsx", roster_workbook(rows))})
    world.sampled_a = a
    return ImportBatch.objects.filter(kind="sampling_roster").latest("created_at")


def _roster(sampled):
    return dict(RosterEntry.objects.filter(roster__sampled_school=sampled).values_list("student_number", "class_name"))


def _roster_url(world, batch, action=""):
    return f"/sampling/schools/{world.sampled_a.pk}/roster/imports/{batch.pk}/{action}"


IN_USE = {r["student_number"]: r["class_name"] for r in ROWS[:40]}


def test_a_roster_reupload_shows_its_difference_and_changes_nothing(client, world, roster_reimport):
    assert roster_reimport.status == ImportBatch.Status.AWAITING
    assert roster_reimport.difference == {
        "added": 2,
        "changed": 2,
        "removed": 1,
        "unchanged": 37,
        "emptied": [],
        "changed_columns": {"班级": 2},
        "cleared": {"班级": 1},
        "overwritten": 2,
    }
    assert _roster(world.sampled_a) == IN_USE
    page = _page(client, _roster_url(world, roster_reimport))
    assert "班级" in page and "删除行" in page and "取消导入" in page


def test_confirming_a_roster_reupload_applies_exactly_its_difference(client, world, roster_reimport):
    _post(client, world.coord_a, _roster_url(world, roster_reimport, "confirm/"))
    roster_reimport.refresh_from_db()
    assert (roster_reimport.status, roster_reimport.decided_by) == (ImportBatch.Status.DONE, world.coord_a)
    expected = {k: v for k, v in IN_USE.items() if k != ROWS[39]["student_number"]}
    expected |= {ROWS[0]["student_number"]: "9班", ROWS[1]["student_number"]: ""}
    expected |= {r["student_number"]: r["class_name"] for r in ROWS[40:]}
    assert _roster(world.sampled_a) == expected
    roster = Roster.objects.get(sampled_school=world.sampled_a)
    assert roster.size == 41 and roster.history.first().history_user == world.coord_a


def test_cancelling_a_roster_reupload_leaves_the_roster(client, world, roster_reimport):
    _post(client, world.coord_a, _roster_url(world, roster_reimport, "cancel/"))
    roster_reimport.refresh_from_db()
    assert roster_reimport.status == ImportBatch.Status.CANCELLED
    assert _roster(world.sampled_a) == IN_USE
    assert Roster.objects.get(sampled_school=world.sampled_a).size == 40


def test_a_roster_reupload_that_would_discard_an_unconfirmed_student_draw_says_so_first(client, world, drawn_schools):
    from sampling import students
    from sampling.models import SampledStudent

    a, _b = drawn_schools
    url = f"/sampling/schools/{a.pk}/roster/upload/"
    data = roster_workbook(ROWS[:40])
    _post(client, world.coord_a, url, {"file": SimpleUploadedFile("r.xlsx", data)})
    students.student_draw_run(rnd=world.round, seed=5, user=world.staff)
    drawn = SampledStudent.objects.filter(sampled_school=a).count()
    assert drawn > 0
    _post(client, world.coord_a, url, {"file": SimpleUploadedFile("r.xlsx", data)})  # the same file again
    batch = ImportBatch.objects.filter(kind="sampling_roster").latest("created_at")
    assert batch.status == ImportBatch.Status.AWAITING and batch.difference["unchanged"] == 40
    assert any("抽取" in note for note in batch.notes), batch.notes
    assert SampledStudent.objects.filter(sampled_school=a).count() == drawn
    _post(client, world.coord_a, f"/sampling/schools/{a.pk}/roster/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert not SampledStudent.objects.filter(sampled_school=a).exists()


def _waiting(user):
    with translation.override("zh-hans"):
        return [(t.title, t.url) for t in todo_for(user, today=today()) if "等待您确认" in t.title]


def test_a_waiting_frame_reimport_is_on_its_uploaders_list_until_decided(client, world, frame_reimport):
    assert _waiting(world.staff) == [("确认或取消导入 抽样框.xlsx：其更改等待您确认", _frame_url(world, frame_reimport))]
    assert _waiting(world.coord_a) == []
    _post(client, world.staff, _frame_url(world, frame_reimport, "cancel/"))
    assert _waiting(world.staff) == []


def test_a_waiting_roster_reupload_is_on_its_coordinators_home_until_decided(client, world, roster_reimport):
    """The school's coordinator who uploaded it finds it on the home page, to its page; the
    other school's coordinator and the county staff do not; once confirmed, it is gone."""
    line = ("确认或取消导入 r2.xlsx：其更改等待您确认", _roster_url(world, roster_reimport))
    assert _waiting(world.coord_a) == [line]
    assert _waiting(world.coord_b) == [] and _waiting(world.staff) == []
    client.force_login(world.coord_a)
    assert "r2.xlsx" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    _post(client, world.coord_a, _roster_url(world, roster_reimport, "confirm/"))
    assert _waiting(world.coord_a) == []
