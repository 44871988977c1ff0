"""Exclusions with a code and a reason, the 5% display, and PE exemptions on a doctor's certificate."""

from django.core.files.uploadedfile import SimpleUploadedFile

from rounds.models import AuditEvent, Stage
from sampling import students
from sampling.models import PeExemption
from sampling.selectors import exclusion_rate, school_progress

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_exclusion_needs_a_code_and_a_reason(client, world, sampled):
    a, _b = sampled
    student = a.students.first()
    client.force_login(world.coord_a)
    url = f"/sampling/students/{student.pk}/exclusion/"
    assert client.post(url, {"exclusion": "language", "exclusion_reason": ""}).status_code == 200
    student.refresh_from_db()
    assert not student.is_excluded
    assert client.post(url, {"exclusion": "language", "exclusion_reason": "新疆转入，汉语能力有限"}).status_code == 302
    student.refresh_from_db()
    assert (student.exclusion, student.exclusion_reason) == ("language", "新疆转入，汉语能力有限")
    assert student.history.first().history_user == world.coord_a


def test_the_exclusion_rate_is_shown_per_school_and_county_against_five_percent(client, world, sampled):
    a, b = sampled
    for s in a.students.all()[:2]:
        students.student_exclude(student=s, code="left", reason="转学", user=world.staff)
    rows = school_progress(rnd=world.round)
    by_school = {r["school"].pk: r for r in rows}
    assert by_school[a.pk]["rate"] == 2 / 30 and by_school[a.pk]["over_limit"]  # 6.7% > 5%
    assert by_school[b.pk]["rate"] == 0 and not by_school[b.pk]["over_limit"]
    assert exclusion_rate(rows) == (55, 2, 2 / 55)  # county: 3.6%
    client.force_login(world.staff)
    body = client.get(f"/sampling/rounds/{world.round.pk}/").content.decode()
    assert "6.7%" in body and "3.6%" in body


def _certificate(client, student, data, name):
    return client.post(
        f"/sampling/students/{student.pk}/pe-exemption/", {"certificate": SimpleUploadedFile(name, data), "reason": "先天性心脏病"}
    )


def test_a_pe_exemption_keeps_the_student_in_the_sample(client, world, sampled):
    a, _b = sampled
    student = a.students.first()
    client.force_login(world.coord_a)
    assert _certificate(client, student, PDF, "诊断证明.pdf").status_code == 302
    student.refresh_from_db()
    assert student.pe_exempt and not student.is_excluded
    assert PeExemption.objects.get(student=student).certificate_type == "application/pdf"
    response = client.get(f"/sampling/students/{student.pk}/pe-exemption/certificate/")
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(object_type="pe_exemption").exists()
    client.post(f"/sampling/students/{student.pk}/pe-exemption/", {"withdraw": "1"})
    student.refresh_from_db()
    assert not student.pe_exempt and not PeExemption.objects.exists()


def test_a_certificate_must_really_be_an_image_or_a_pdf_of_limited_size(client, world, sampled):
    a, _b = sampled
    student = a.students.first()
    client.force_login(world.staff)
    assert _certificate(client, student, b"<html>not a pdf</html>", "c.pdf").status_code == 200
    assert _certificate(client, student, PNG, "c.pdf").status_code == 200  # name and content disagree
    assert _certificate(client, student, PDF + b"0" * (5 * 1024 * 1024), "c.pdf").status_code == 200
    assert not PeExemption.objects.exists()
    assert _certificate(client, student, PNG, "c.png").status_code == 302


def _close_student_changes(world):
    world.round.stage = Stage.RESULTS
    world.round.save()


def test_outside_its_stages_the_exclusion_page_is_read_only_with_the_reason(client, world, sampled):
    a, _b = sampled
    student = a.students.first()
    students.student_exclude(student=student, code="left", reason="转学", user=world.staff)
    _close_student_changes(world)
    client.force_login(world.coord_a)
    response = client.get(f"/sampling/students/{student.pk}/exclusion/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="student-refusal"' in body and "抽样、测试准备、正式测试" in body
    assert 'btn-primary" type="submit"' not in body
    assert 'name="exclusion_reason"' in body and "disabled" in body and "转学" in body


def test_a_refused_exclusion_comes_back_with_what_was_typed_and_why(client, world, sampled):
    a, _b = sampled
    student = a.students.first()
    client.force_login(world.coord_a)
    url = f"/sampling/students/{student.pk}/exclusion/"
    assert 'btn-primary" type="submit"' in client.get(url).content.decode()  # open in the sampling stage
    _close_student_changes(world)
    response = client.post(url, {"exclusion": "language", "exclusion_reason": "新疆转入，汉语能力有限"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "新疆转入，汉语能力有限" in body and "抽样、测试准备、正式测试" in body
    student.refresh_from_db()
    assert not student.is_excluded


def test_a_refused_pe_exemption_keeps_the_reason_typed_and_offers_no_withdrawal(client, world, sampled):
    a, _b = sampled
    student = a.students.first()
    client.force_login(world.coord_a)
    assert _certificate(client, student, PDF, "诊断证明.pdf").status_code == 302
    url = f"/sampling/students/{student.pk}/pe-exemption/"
    assert 'name="withdraw"' in client.get(url).content.decode()
    _close_student_changes(world)
    body = client.get(url).content.decode()
    assert 'name="withdraw"' not in body and 'btn-primary" type="submit"' not in body and 'id="student-refusal"' in body
    response = client.post(url, {"certificate": SimpleUploadedFile("c.png", PNG), "reason": "近期手术，医嘱免测"})
    assert response.status_code == 409 and "近期手术，医嘱免测" in response.content.decode()
    assert PeExemption.objects.get(student=student).reason == "先天性心脏病"
    client.post(url, {"withdraw": "1"})
    student.refresh_from_db()
    assert student.pe_exempt
