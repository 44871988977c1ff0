"""Every spreadsheet upload of the project refuses a bad file in Chinese and keeps nothing of it.

For each upload field that takes a workbook (school registry, sampling frame, roster,
questionnaire definition, paper questionnaires, results) and each kind of bad file — a
program renamed .xlsx, a PDF, a file over UPLOAD_MAX_MB, a zip bomb (compression ratio), a
workbook that unpacks too large — the page the user lands on says why in Chinese and the
data the upload would have changed is unchanged. (The school import's messages and the
photo and certificate fields are tested in tests/rounds/test_school_import.py,
tests/logistics/test_uploads.py and tests/rectification/test_views.py.)
"""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring_site import spreadsheets
from questionnaires.models import Instrument, Response
from results.models import ResultImport
from rounds.models import ImportBatch, School, Stage
from sampling import services as sampling_services
from sampling.models import FrameSchool, Roster, RosterUpload
from tests.rounds.test_school_import import GOOD_ROWS, workbook_bytes


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    return buffer.getvalue()


# kind → (file name, bytes, what the page must say)
BAD_FILES = {
    "exe-renamed": ("成绩.xlsx", b"MZ\x90\x00\x03" + b"\x00" * 2000, ("不是有效的 .xlsx",)),
    "pdf": ("成绩.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 2000, ("Excel 工作簿",)),
    "too-big": ("成绩.xlsx", None, ("超过", "MB")),
    "zip-bomb": ("成绩.xlsx", _zip_bomb(), ("压缩比异常",)),
    "unpacks-too-large": ("成绩.xlsx", None, ("解压后超过",)),
}


def _data_count() -> tuple:
    return (
        School.objects.count(),
        sorted(FrameSchool.objects.values_list("grade4", "grade8")),
        Instrument.objects.count(),
        Response.objects.count(),
        ResultImport.objects.filter(state=ResultImport.State.ACTIVE).count(),
    )


# endpoint → (URL, stage the round must be at, extra form fields)
ENDPOINTS = {
    "school_import": (lambda x: reverse("school_import"), None, {}),
    "frame_import": (lambda x: reverse("frame_import", args=[x.rnd.pk]), Stage.SAMPLING, {}),
    "instrument_upload": (lambda x: reverse("instrument_upload", args=[x.rnd.pk]), None, {"kind": "student", "title": "学生问卷"}),
    "paper_import": (lambda x: reverse("paper_import", args=[x.instrument.pk]), Stage.TESTING, {}),
    "results_import": (lambda x: reverse("results_import", args=[x.rnd.pk]), Stage.RESULTS, {"kind": "pe"}),
}


@pytest.fixture
def x(qworld):
    qworld.rnd.stage = Stage.SAMPLING
    qworld.rnd.save()
    sampling_services.frame_build(rnd=qworld.rnd, user=qworld.world.staff)
    qworld.instrument = Instrument.objects.filter(round=qworld.rnd).order_by("pk").first()
    return qworld


def _refused(client, url, extra, kind, *, settings, monkeypatch, capture) -> None:
    name, data, message = BAD_FILES[kind]
    good = workbook_bytes(GOOD_ROWS * 30)
    if kind == "too-big":
        data, settings.UPLOAD_MAX_BYTES = good, len(good) - 1
    if kind == "unpacks-too-large":
        data = good
        monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_BYTES", 1000)
    with capture(execute=True):  # the import task runs once the request commits
        response = client.post(url, {**extra, "file": SimpleUploadedFile(name, data)})
    if response.status_code == 302:
        response = client.get(response["Location"])
    body = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body.split("<main")[-1]))
    assert all(fragment in body for fragment in message), f"{url} {kind}: {response.status_code} {text[:1000]}"
    assert "Traceback" not in body


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_kept(
    client, x, settings, monkeypatch, django_capture_on_commit_callbacks, endpoint, kind
):
    url, stage, extra = ENDPOINTS[endpoint]
    if stage:
        x.rnd.stage = stage
        x.rnd.save()
    before = _data_count()
    client.force_login(x.world.staff)
    _refused(client, url(x), extra, kind, settings=settings, monkeypatch=monkeypatch, capture=django_capture_on_commit_callbacks)
    assert _data_count() == before


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_roster_is_refused_in_chinese_and_nothing_is_kept(
    client, world, drawn_schools, settings, monkeypatch, django_capture_on_commit_callbacks, kind
):
    sampled, _b = drawn_schools
    client.force_login(world.coord_a)
    url = reverse("roster_upload", args=[sampled.pk])
    _refused(client, url, {}, kind, settings=settings, monkeypatch=monkeypatch, capture=django_capture_on_commit_callbacks)
    assert not Roster.objects.filter(sampled_school=sampled).exists()
    assert not RosterUpload.objects.filter(sampled_school=sampled, batch__status=ImportBatch.Status.DONE).exists()
