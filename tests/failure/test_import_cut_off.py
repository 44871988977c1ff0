"""An import cut off half way leaves nothing of itself; a cut-off file is refused (issue 9 §5).

The write is cut after two of three schools by the database going away under it (the third
``save`` raises OperationalError, as a dropped connection does): the transaction rolls back,
no school of the file is kept, and the batch says in Chinese that it was interrupted instead
of showing "running" forever. A workbook whose upload was cut half way is refused whole.
"""

import pytest
from django.db import OperationalError
from django.urls import reverse

from rounds.models import ImportBatch, School
from tests.results.conftest import results_world  # noqa: F401 (a fixture)
from tests.rounds.test_school_import import GOOD_ROWS, upload, workbook_bytes


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def test_an_import_cut_off_while_writing_leaves_no_row_and_says_so(staff_client, monkeypatch):
    before = set(School.objects.values_list("code", flat=True))
    original_save = School.save
    saved = []

    def save_until_the_database_goes(self, *args, **kwargs):
        if len(saved) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        saved.append(self.code)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(School, "save", save_until_the_database_goes)
    batch = upload(staff_client, workbook_bytes(GOOD_ROWS))

    assert len(saved) == 2  # two schools were written before the cut
    assert set(School.objects.values_list("code", flat=True)) == before
    assert batch.status == ImportBatch.Status.FAILED
    assert "中断" in batch.errors[0]["message"] and "没有保存" in batch.errors[0]["message"], batch.errors
    page = staff_client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "中断" in page and "Traceback" not in page and "OperationalError" not in page


def test_a_workbook_cut_off_half_way_is_refused_whole(staff_client):
    before = School.objects.count()
    data = workbook_bytes(GOOD_ROWS * 20)
    batch = upload(staff_client, data[: len(data) // 2])
    assert batch.status == ImportBatch.Status.FAILED
    assert "xlsx" in batch.errors[0]["message"] and "损坏" in batch.errors[0]["message"], batch.errors
    assert School.objects.count() == before


def test_a_score_import_cut_off_while_writing_keeps_the_scores_in_use(results_world, django_capture_on_commit_callbacks, monkeypatch):  # noqa: F811
    """A re-import confirmed, then cut off while its rows are written: none of its rows is kept,
    it is refused with the Chinese message, and the earlier import is still the one in use."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from results import imports
    from results.models import ResultImport, StudentScore
    from results.services import result_import_confirm, result_import_start
    from tests.results.factories import SCORE_HEADER, xlsx_bytes

    def start(score: float) -> ResultImport:
        rows = [(s.monitoring_id, "数学", "", score + i) for i, s in enumerate(results_world.students)]
        with django_capture_on_commit_callbacks(execute=True):
            ri = result_import_start(
                rnd=results_world.round,
                kind="scores",
                domain="math",
                user=results_world.staff,
                upload=SimpleUploadedFile("s.xlsx", xlsx_bytes(rows, header=SCORE_HEADER)),
                language="zh-hans",
            )
        ri.refresh_from_db()
        return ri

    first = start(500.0)
    second = start(600.0)
    assert (first.state, second.state) == (ResultImport.State.ACTIVE, ResultImport.State.AWAITING)

    original = imports.insert_rows
    written = []

    def insert_then_lose_the_database(model, columns, rows):
        original(model, columns, rows)  # every row written inside the transaction…
        written.append(len(rows))
        raise OperationalError("server closed the connection unexpectedly")  # …then the cut

    monkeypatch.setattr(imports, "insert_rows", insert_then_lose_the_database)
    with django_capture_on_commit_callbacks(execute=True):
        result_import_confirm(result_import=second, user=results_world.staff, language="zh-hans")

    assert written == [len(results_world.students)]
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.state == ResultImport.State.REFUSED and first.state == ResultImport.State.ACTIVE
    assert not StudentScore.objects.filter(result_import=second).exists()
    assert StudentScore.objects.filter(result_import=first).count() == len(results_world.students)
    assert second.batch.status == ImportBatch.Status.FAILED
    assert "中断" in second.batch.errors[0]["message"], second.batch.errors
