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
