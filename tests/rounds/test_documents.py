"""The document engine: a job builds the PDF and its HTML, real text with a subset CJK font,
safe to run twice, failures said and retried."""

import io

import pytest
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from rounds import documents as engine
from rounds.documents import DocumentKind, document_build_run
from rounds.models import AuditEvent, Document
from rounds.views import documents as document_views


def _request(client, world, kind="round_plan"):
    client.force_login(world.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("document_request", args=[world.round.pk]), {"kind": kind})
    assert response.status_code == 302
    return Document.objects.latest("created_at")


def pdf_text(document) -> str:
    with document.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_round_plan_is_built_with_real_chinese_text(client, world):
    document = _request(client, world)
    assert document.status == Document.Status.DONE, document.error
    text = pdf_text(document).replace(" ", "")
    for expected in ["青山县", "2027", "内部资料", "数学", "体育与健康", "测试日程", "报送学生名册", "2027年5月26日"]:
        assert expected in text, expected
    assert document.pages >= 2 and document.size < 2_000_000


def test_the_cjk_font_is_embedded_as_a_subset(client, world):
    document = _request(client, world)
    with document.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    cjk = [f for f in fonts if "CJK" in f]
    assert cjk, fonts
    # A subset font's name carries a six-letter tag: "ABCDEF+NotoSerifCJKsc-Regular".
    assert all(len(f.lstrip("/").split("+")[0]) == 6 for f in cjk), cjk


def test_building_twice_gives_the_same_data_version_and_no_duplicate(client, world):
    first = _request(client, world)
    again = document_build_run(document_id=first.pk)  # the job delivered a second time
    assert again.pk == first.pk and again.pdf.name == first.pdf.name
    assert Document.objects.filter(kind="round_plan").count() == 1
    second = _request(client, world)
    assert second.data_version == first.data_version
    world.round.milestones.update(note="变更")
    world.round.milestones.filter(kind="rosters_due").update(due_date="2027-04-01")
    third = _request(client, world)
    assert third.data_version != first.data_version
    assert Document.objects.filter(kind="round_plan").count() == 3  # old versions stay


def test_a_build_left_running_by_a_dead_worker_is_built_again_and_a_failed_one_left_as_it_is(client, world):
    document = Document.objects.create(round=world.round, kind="round_plan", title="日程", created_by=world.staff)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.RUNNING, attempts=1, progress=60)  # no lock held
    built = document_build_run(document_id=document.pk)
    assert built.status == Document.Status.DONE and built.attempts == 2 and built.pdf
    failed = Document.objects.create(round=world.round, kind="round_plan", title="日程", created_by=world.staff)
    Document.objects.filter(pk=failed.pk).update(status=Document.Status.FAILED, error="数据不完整", attempts=1)
    again = document_build_run(document_id=failed.pk)  # its job delivered a second time: a retry re-queues it first
    assert again.status == Document.Status.FAILED and again.attempts == 1 and not again.pdf


def test_a_failed_build_says_why_and_can_be_retried(client, world, monkeypatch):
    calls = {"n": 0}

    def flaky(*, rnd, subject, progress):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("数据不完整")
        return "rounds/documents/round_plan.html", {"sessions_by_grade": [], "milestones": [], "people": []}

    kinds = {"flaky": DocumentKind(title=lambda r, s: "测试文件", build=flaky)}
    monkeypatch.setattr(engine, "document_kinds", lambda: kinds)
    monkeypatch.setattr(document_views, "document_kinds", lambda: kinds)
    document = _request(client, world, kind="flaky")
    assert document.status == Document.Status.FAILED and "数据不完整" in document.error
    row = client.get(reverse("document_list", args=[world.round.pk])).content.decode()
    assert "数据不完整" in row
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("document_retry", args=[document.pk]))
    document.refresh_from_db()
    assert document.status == Document.Status.DONE


def test_downloads_and_html_views_are_logged(client, world):
    document = _request(client, world)
    response = client.get(reverse("document_pdf", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    html = client.get(reverse("document_html", args=[document.pk]))
    assert "测试日程" in html.content.decode()
    assert "script-src 'none'" in html["Content-Security-Policy"]
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("at")) == ["export", "view"]


def test_a_document_of_another_county_is_not_found(client, world):
    document = _request(client, world)
    client.force_login(world.foreign_staff)
    for name in ("document_pdf", "document_html", "document_status"):
        assert client.get(reverse(name, args=[document.pk])).status_code == 404


@pytest.mark.parametrize("role", ["leader", "coord_a", "dept"])
def test_roles_without_the_documents_permission_cannot_request_it(client, world, role):
    client.force_login(world.users()[role])
    response = client.post(reverse("document_request", args=[world.round.pk]), {"kind": "round_plan"})
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_without_a_chinese_font_the_document_is_refused_and_its_row_says_why(client, world, latin_fonts_only):
    document = _request(client, world)
    assert document.status == Document.Status.FAILED
    assert "未安装中文字体" in document.error and "fonts-noto-cjk" in document.error
    assert not document.pdf and document.attempts == 1  # refused at once, not retried
    row = client.get(reverse("document_list", args=[world.round.pk])).content.decode()
    assert "未安装中文字体" in row


def test_the_documents_list_marks_the_latest_build_of_each_kind(client, world):
    older, newer = _request(client, world), _request(client, world)
    assert older.status == newer.status == Document.Status.DONE
    body = client.get(reverse("document_list", args=[world.round.pk])).content.decode()
    rows = {pk: body.split(f'id="document-{pk}"')[1].split("</tr>")[0] for pk in (older.pk, newer.pk)}
    assert "latest-build" in rows[newer.pk] and "latest-build" not in rows[older.pk]


def _row(body, document):
    return body.split(f'id="document-{document.pk}"')[1].split("</tr>")[0]


def test_a_document_built_inline_is_announced_as_built_beside_its_built_row(client, world):
    client.force_login(world.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("document_request", args=[world.round.pk]), {"kind": "round_plan"})
    document = Document.objects.get()
    assert response.url == reverse("document_list", args=[world.round.pk]) + f"?requested={document.pk}"
    body = client.get(response.url).content.decode()
    note = body.split('id="document-note"')[1].split("</div>")[0]
    assert "已生成" in note and "hx-get" not in note
    assert "正在生成" not in body.replace("正在生成…", "")  # the busy label of the buttons aside
    assert reverse("document_pdf", args=[document.pk]) in _row(body, document) and "hx-get" not in _row(body, document)


def test_a_document_still_queued_says_so_and_its_note_follows_the_row(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("document_request", args=[world.round.pk]), {"kind": "round_plan"})  # no worker ran
    document = Document.objects.get()
    body = client.get(response.url).content.decode()
    note = body.split('id="document-note"')[1].split("</div>")[0]
    assert "正在生成" in note and "?part=note" in note
    assert "<progress" in _row(body, document) and 'hx-trigger="every 1s"' in _row(body, document)
    document_build_run(document_id=document.pk)
    fragment = client.get(reverse("document_status", args=[document.pk]), {"part": "note"}).content.decode()
    assert "已生成" in fragment and "hx-get" not in fragment
    row = client.get(reverse("document_status", args=[document.pk])).content.decode()
    assert "<progress" not in row and "hx-get" not in row


def test_the_request_buttons_show_they_are_busy(client, world):
    client.force_login(world.staff)
    body = client.get(reverse("document_list", args=[world.round.pk])).content.decode()
    assert body.count('data-busy="正在生成…"') >= 2


def test_the_menu_leads_a_coordinator_to_the_documents_of_the_round_they_work_on(client, world):
    client.force_login(world.coord_a)
    home = client.get(reverse("home")).content.decode()
    assert reverse("documents_home") in home  # 文件 in the side menu
    response = client.get(reverse("documents_home"))
    assert response["Location"] == reverse("document_list", kwargs={"pk": world.round.pk})
