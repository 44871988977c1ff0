"""The public answering flow: open with a code, save as you go, resume, submit once, closing."""

from django.urls import reverse
from django.utils import timezone

from questionnaires import ratelimit
from questionnaires.models import Answer, IndicatorValue, Kind, Response
from questionnaires.services import CODE_ALPHABET, CODE_LENGTH


def open_code(client, code):
    response = client.post(reverse("respond_start"), {"code": code.display_code.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("respond_form")
    assert client.get(reverse("respond_form")).status_code == 200


def save(client, item, *values):
    return client.post(reverse("respond_save"), {"item": item, "value": list(values)}).content.decode()


TEACHER_ANSWERS = {
    "subject": ["math"],
    "years_teaching": ["12"],
    "lessons_week": ["14"],
    "title_rank": ["3"],
    "training_hours": ["72"],
    "training_forms": ["online", "practice"],
    "training_time": ["3"],
    "training_theory": ["3"],
    "training_useful": ["2"],
    "training_rest": ["4"],
    "work_curriculum": ["3"],
    "work_homework": ["3"],
    "work_satisfied": ["3"],
}


def answer_all(client, answers=TEACHER_ANSWERS):
    for item, values in answers.items():
        assert 'data-state="saved"' in save(client, item, *values), item


def test_codes_are_long_and_use_no_look_alike_characters(qworld):
    code = qworld.code()
    assert len(code.code) == CODE_LENGTH
    assert set(code.code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)


def test_a_teacher_answers_resumes_and_submits(client, qworld):
    code = qworld.code()
    open_code(client, code)
    save(client, "subject", "math")
    save(client, "years_teaching", "12")
    client.cookies.clear()  # the page was closed; the browser forgot everything
    open_code(client, code)
    page = client.get(reverse("respond_form")).content.decode()
    assert 'value="12"' in page  # resumed where it stopped
    answer_all(client)
    response = client.post(reverse("respond_submit"))
    assert response.status_code == 302 and response["Location"] == reverse("respond_done")
    stored = Response.objects.get(access_code=code)
    assert stored.is_submitted and stored.answers.count() == len(TEACHER_ANSWERS)
    assert dict(IndicatorValue.objects.filter(response=stored).values_list("code", "value"))["training_hours"] == 72


def test_a_double_submit_is_harmless(client, qworld):
    open_code(client, qworld.code())
    answer_all(client)
    first = client.post(reverse("respond_submit"))
    submitted_at = Response.objects.get().submitted_at
    second = client.post(reverse("respond_submit"))
    assert first.status_code == second.status_code == 302
    assert Response.objects.get().submitted_at == submitted_at
    assert Answer.objects.count() == len(TEACHER_ANSWERS)


def test_a_submitted_code_cannot_answer_again(client, qworld):
    code = qworld.code()
    open_code(client, code)
    answer_all(client)
    client.post(reverse("respond_submit"))
    assert "已提交" in save(client, "years_teaching", "30")
    assert Answer.objects.get(item__code="years_teaching").value == 12
    client.cookies.clear()
    page = client.post(reverse("respond_start"), {"code": code.code}).content.decode()
    assert "已经提交" in page


def test_required_and_range_checks_speak_chinese(client, qworld):
    open_code(client, qworld.code())
    assert "请填写 0 到 45 年之间的数字" in save(client, "years_teaching", "99")
    assert "请填写整数" in save(client, "years_teaching", "3.5")
    assert "请选择" in save(client, "subject", "nonsense")
    assert not Answer.objects.exists()
    response = client.post(reverse("respond_submit"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "此题必须回答" in body and "道必答题还没有回答" in body
    assert not Response.objects.get().is_submitted


def test_skip_logic_hides_and_the_hidden_answers_are_dropped(client, qworld):
    open_code(client, qworld.code())
    save(client, "subject", "pe")
    save(client, "pe_practice_share", "60")
    page = client.get(reverse("respond_form")).content.decode()
    assert 'id="item-pe_warmup"' in page and "q-hidden" not in page.split('id="item-pe_warmup"')[0][-200:]
    answer_all(client, {**TEACHER_ANSWERS, "subject": ["math"]})  # no longer a PE teacher
    assert client.post(reverse("respond_submit")).status_code == 302  # PE items not required now
    assert not Answer.objects.filter(item__code="pe_practice_share").exists()


def test_a_pe_teacher_must_answer_the_pe_section(client, qworld):
    open_code(client, qworld.code())
    answer_all(client, {**TEACHER_ANSWERS, "subject": ["pe"]})
    response = client.post(reverse("respond_submit"))
    assert response.status_code == 422
    assert set(response.context["errors"]) == {
        "pe_practice_share",
        "pe_warmup",
        "pe_plan",
        "pe_occupied",
    }


def test_the_questionnaire_closes_at_the_rounds_closing_time(client, qworld):
    code = qworld.code()
    open_code(client, code)
    save(client, "years_teaching", "12")
    qworld.rnd.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    qworld.rnd.save()
    assert "已关闭" in save(client, "years_teaching", "13")
    assert Answer.objects.get().value == 12
    assert "已关闭" in client.get(reverse("respond_form")).content.decode()
    assert "已关闭" in client.post(reverse("respond_submit")).content.decode()
    assert not Response.objects.get().is_submitted
    other = qworld.code(serial=2)
    assert "已关闭" in client.post(reverse("respond_start"), {"code": other.code}).content.decode()


def test_a_code_reaches_only_its_own_questionnaire(client, qworld):
    teacher_a = qworld.code(ss=qworld.ss_a)
    student_b = qworld.code(kind=Kind.STUDENT, ss=qworld.ss_b)
    open_code(client, student_b)
    client.post(reverse("respond_start"), {"code": teacher_a.code})
    page = client.get(reverse("respond_form")).content.decode()
    assert qworld.world.school_a.name in page and qworld.world.school_b.name not in page
    # An item of another instrument (student questionnaire) is out of reach of a teacher code.
    assert client.post(reverse("respond_save"), {"item": "sleep_hours", "value": "9"}).status_code == 404
    assert not Answer.objects.filter(response__access_code=student_b).exists()


def test_a_forged_cookie_opens_nothing(client, qworld):
    client.cookies["q_respondent"] = str(qworld.code().pk)
    assert client.get(reverse("respond_form"))["Location"] == reverse("respond_start")
    assert client.post(reverse("respond_save"), {"item": "subject", "value": "math"}).status_code == 403


def test_the_student_questionnaire_shows_the_monitoring_id_never_the_name(client, qworld):
    code = qworld.code(kind=Kind.STUDENT)
    open_code(client, code)
    page = client.get(reverse("respond_form")).content.decode()
    assert code.student.monitoring_id in page and code.student.name not in page


def test_guessing_codes_is_rate_limited(client, qworld):
    for _i in range(ratelimit.MAX_FAILURES):
        assert client.post(reverse("respond_start"), {"code": "AAAAA-AAAAA"}).status_code == 200
    response = client.post(reverse("respond_start"), {"code": qworld.code().code})
    assert response.status_code == 429  # even a right code waits once the address is blocked


def test_an_unknown_code_gets_a_clear_message(client, qworld):
    body = client.post(reverse("respond_start"), {"code": "ABCDE"}).content.decode()
    assert "访问码无效" in body


def test_the_done_page_needs_a_submitted_response(client, qworld):
    assert client.get(reverse("respond_done"))["Location"] == reverse("respond_start")


def test_closing_the_round_stops_saves_of_a_respondent_already_saving(client, qworld):
    from rounds.models import Stage

    code = qworld.code()
    open_code(client, code)
    save(client, "years_teaching", "12")
    qworld.rnd.stage = Stage.CLOSED
    qworld.rnd.save()
    assert "已关闭" in save(client, "years_teaching", "13")
    assert "已关闭" in save(client, "years_teaching", "not a number")  # closed is said before invalid
    assert Answer.objects.get().value == 12


def test_a_save_for_a_response_that_is_gone_is_refused_not_misplaced(client, qworld):
    code = qworld.code()
    open_code(client, code)
    save(client, "years_teaching", "12")
    Answer.objects.all().delete()
    Response.objects.all().delete()  # e.g. removed in the admin: the ids a process kept are stale
    assert client.post(reverse("respond_save"), {"item": "years_teaching", "value": ["13"]}).status_code == 403
    assert not Answer.objects.exists()
    open_code(client, code)  # a new response
    assert 'data-state="saved"' in save(client, "years_teaching", "14")
    assert Answer.objects.get().response == Response.objects.get()


def test_an_emptied_answer_is_removed_and_only_while_the_response_is_open(client, qworld):
    code = qworld.code()
    open_code(client, code)
    save(client, "years_teaching", "12")
    save(client, "lessons_week", "14")
    assert 'data-state="saved"' in save(client, "years_teaching", "")  # the respondent cleared the box
    assert dict(Answer.objects.values_list("item__code", "value")) == {"lessons_week": 14}
    Response.objects.update(submitted_at=timezone.now())
    assert 'data-state="saved"' not in save(client, "lessons_week", "")
    assert dict(Answer.objects.values_list("item__code", "value")) == {"lessons_week": 14}
