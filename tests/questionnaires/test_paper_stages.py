"""Paper forms are entered, and entered a second time, until the results stage ends: from the
rectification stage on the report built on them stands, so the import page offers no upload,
the double entry's pages offer no entry, draw or decision, and the services refuse each in the
same Chinese words (a form posted from a page opened earlier changes nothing)."""

import pytest
from django.urls import reverse

from questionnaires.models import Answer, Disagreement, Response, VerificationSample
from questionnaires.verification import (
    EntryRefused,
    disagreement_decide,
    second_entry_save,
    verification_sample_draw,
)
from rounds.models import ImportBatch, Stage

from .double_entry import PaperBatch, checked, entered_sample
from .test_paper_and_export import _paper_file, _row, _teacher

REFUSAL = "在“整改”阶段，纸质问卷不能再导入或再次录入"


def _stage(qworld, stage):
    qworld.rnd.stage = stage
    qworld.rnd.save()


@pytest.mark.parametrize("stage", [Stage.TESTING, Stage.RESULTS])
def test_paper_forms_are_imported_in_the_testing_and_results_stages(client, qworld, stage, django_capture_on_commit_callbacks):
    _stage(qworld, stage)
    client.force_login(qworld.world.staff)
    instrument = _teacher(qworld)
    assert 'enctype="multipart/form-data"' in client.get(reverse("paper_import", args=[instrument.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        upload = _paper_file(client, instrument, [_row(qworld.code())])
        response = client.post(reverse("paper_import", args=[instrument.pk]), {"file": upload})
    assert response.status_code == 302 and Response.objects.filter(source="paper").count() == 1


def test_from_the_rectification_stage_the_import_page_says_why_and_takes_no_file(client, qworld, django_capture_on_commit_callbacks):
    client.force_login(qworld.world.staff)
    instrument = _teacher(qworld)
    upload = _paper_file(client, instrument, [_row(qworld.code())])  # the template downloads still
    _stage(qworld, Stage.RECTIFICATION)
    page = client.get(reverse("paper_import", args=[instrument.pk])).content.decode()
    assert REFUSAL in page and 'enctype="multipart/form-data"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("paper_import", args=[instrument.pk]), {"file": upload})
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert not ImportBatch.objects.filter(kind__startswith="questionnaire_paper").exists()
    assert not Response.objects.exists()


def test_no_sample_is_drawn_once_the_round_is_closed(client, qworld):
    paper = PaperBatch(rnd=qworld.rnd, first=qworld.world.staff)
    _stage(qworld, Stage.CLOSED)
    client.force_login(paper.first)
    page = client.get(reverse("paper_import_detail", args=[paper.batch.pk])).content.decode()
    assert "在“已结束”阶段" in page and reverse("verification_draw", args=[paper.batch.pk]) not in page
    client.post(reverse("verification_draw", args=[paper.batch.pk]))
    assert not VerificationSample.objects.exists()
    with pytest.raises(EntryRefused, match="不能再导入或再次录入"):
        verification_sample_draw(batch=paper.batch, user=paper.first, seed=1)


def test_from_the_rectification_stage_no_second_entry_nor_decision_changes_the_data(client, qworld):
    paper = entered_sample(rnd=qworld.rnd, uploader=qworld.world.staff)
    disagreement = Disagreement.objects.get()
    _stage(qworld, Stage.RECTIFICATION)

    client.force_login(paper.second)
    forms_page = client.get(reverse("verification_forms", args=[paper.batch.pk])).content.decode()
    assert REFUSAL in forms_page
    assert reverse("second_entry", args=[paper.waiting.pk]) not in forms_page
    assert reverse("verification_workbook_upload", args=[paper.batch.pk]) not in forms_page
    page = client.get(reverse("second_entry", args=[paper.waiting.pk]), follow=True).content.decode()
    assert REFUSAL in page
    response = client.post(reverse("second_entry", args=[paper.waiting.pk]), {"years_teaching": "12"})
    assert response.status_code in (302, 403)
    paper.waiting.refresh_from_db()
    assert paper.waiting.entered_at is None
    with pytest.raises(EntryRefused, match="不能再导入或再次录入"):
        second_entry_save(form=paper.waiting, values=checked(paper), user=paper.second)

    client.force_login(paper.third)
    compare = client.get(reverse("verification_compare", args=[paper.batch.pk])).content.decode()
    assert REFUSAL in compare and reverse("disagreement_decide", args=[disagreement.pk]) not in compare
    assert "未裁定" in compare and "undecided" not in compare and "请对照纸质" not in compare
    before = Answer.objects.get(response=disagreement.form.response, item=disagreement.item).value
    client.post(reverse("disagreement_decide", args=[disagreement.pk]), {"choice": "second"})
    with pytest.raises(EntryRefused, match="不能再导入或再次录入"):
        disagreement_decide(disagreement=disagreement, choice="second", user=paper.third)
    disagreement.refresh_from_db()
    assert disagreement.decided_at is None
    assert Answer.objects.get(response=disagreement.form.response, item=disagreement.item).value == before
