"""Double entry of the score and PE-health sheets: the seeded draw, the second entry by
workbook and by the quick-entry page, the comparison, the rates against hand counts, the
decisions, the flag and its lifting, and the rate on the import page and in the county report."""

import math
import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from results.models import ResultImport, ResultVerification, RowDisagreement, StudentScore, VerificationRow
from results.selectors import active_import, score_sample, student_levels
from results.verification import (
    EntryRefused,
    disagreement_decide,
    error_rates,
    import_check,
    result_entry_summary,
    sample_replay,
    second_entry_save,
    verification_draw,
    verification_extend,
)

from ..reports.helpers import build, pdf_text
from .data import SCORES
from .double_entry import PE_VALUES, entered_import, filled, pe_import, person, score_rows, upload
from .factories import SCORE_HEADER, make_sample, xlsx_bytes


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def e(results_world, capture):
    return entered_import(results_world, capture)


def _enter_rest_correctly(verification, user):
    for row in verification.rows.filter(entered_at=None):
        first = StudentScore.objects.get(result_import=verification.result_import, student=row.student)
        second_entry_save(row=row, second={"attendance": first.attendance, "score": first.score}, user=user)


# --- the draw ----------------------------------------------------------------------------


def test_the_draw_takes_a_twentieth_rounded_up_of_each_school_and_replays(results_world, capture):
    extra = make_sample(results_world.round, schools=[results_world.school_a], grade=8, per_school=30)
    uploader = person(results_world, "uploader")
    rows = score_rows(results_world) + [(s.monitoring_id, "数学", "", 500) for s in extra]
    ri = upload(results_world, capture, xlsx_bytes(rows, header=SCORE_HEADER), user=uploader)
    verification = verification_draw(result_import=ri, user=results_world.staff, seed=11)
    drawn = sorted(verification.rows.values_list("student_id", flat=True))
    # School A: 4 grade-4 + 30 grade-8 rows → ⌈1.7⌉ = 2; school B: 4 rows → ⌈0.2⌉ = 1.
    by_school = Counter(VerificationRow.objects.values_list("student__sampled_school__school__name", flat=True))
    assert by_school == {"甲小学": 2, "乙中学": 1}
    assert sorted(sample_replay(verification=verification)) == drawn
    assert verification.history.first().history_user == results_world.staff
    with pytest.raises(EntryRefused):
        verification_draw(result_import=ri, user=results_world.staff, seed=11)


def test_only_an_import_in_use_is_drawn(e, results_world):
    e.ri.state = ResultImport.State.REPLACED
    e.ri.save()
    ResultVerification.objects.all().delete()
    with pytest.raises(EntryRefused):
        verification_draw(result_import=e.ri, user=results_world.staff)


# --- comparison, rates, decisions --------------------------------------------------------


def test_the_comparison_and_the_rates_against_hand_counts(e, results_world):
    [d] = RowDisagreement.objects.all()
    first_score = SCORES[[s.pk for s in results_world.students].index(e.entered.student_id)]
    assert (d.field, d.first_value, d.second_value) == ("score", first_score, first_score + 1)
    assert e.entered.fields_compared == 2  # status and score
    rates = error_rates(verification=e.verification)
    assert (rates.forms, rates.entered, rates.compared, rates.disagreeing) == (2, 1, 2, 1)
    assert rates.overall == pytest.approx(0.5)
    assert not e.verification.needs_full_entry  # not every drawn row is entered yet
    _enter_rest_correctly(e.verification, e.second)
    rates = error_rates(verification=e.verification)
    assert (rates.compared, rates.disagreeing) == (4, 1) and rates.percent == pytest.approx(25.0)
    by = {(r.user.username, r.role): (r.compared, r.errors, r.undecided) for r in rates.by_enterer}
    assert by == {("uploader", "first"): (4, 0, 1), ("second", "second"): (4, 0, 1)}
    disagreement_decide(disagreement=d, choice="second", user=results_world.staff)
    by = {(r.user.username, r.role): (r.compared, r.errors, r.undecided) for r in error_rates(verification=e.verification).by_enterer}
    assert by == {("uploader", "first"): (4, 1, 0), ("second", "second"): (4, 0, 0)}
    d.refresh_from_db()
    assert (d.choice, d.decided_value, d.decided_by) == ("second", first_score + 1, results_world.staff)
    assert d.history.first().history_user == results_world.staff
    # The value decided is the one in use; both entries stay.
    assert StudentScore.objects.get(result_import=e.ri, student=e.entered.student).score == first_score + 1
    assert (d.first_value, d.second_value) == (first_score, first_score + 1)


def test_the_uploader_and_the_second_enterer_may_not_decide_and_the_uploader_not_enter(e, results_world):
    d = RowDisagreement.objects.get()
    for user in (e.uploader, e.second):
        with pytest.raises(EntryRefused):
            disagreement_decide(disagreement=d, choice="first", user=user)
    with pytest.raises(EntryRefused):
        second_entry_save(row=e.waiting, second={"attendance": "present", "score": 1}, user=e.uploader)
    with pytest.raises(EntryRefused):
        second_entry_save(row=e.entered, second={"attendance": "present", "score": 1}, user=e.second)  # entered once only


def test_a_value_from_the_paper_is_checked_like_the_import(e, results_world):
    d = RowDisagreement.objects.get()
    with pytest.raises(EntryRefused, match="1000"):
        disagreement_decide(disagreement=d, choice="other", other="1200", user=results_world.staff)
    disagreement_decide(disagreement=d, choice="other", other="455", user=results_world.staff)
    assert StudentScore.objects.get(result_import=e.ri, student=e.entered.student).score == 455
    rates = error_rates(verification=e.verification)  # neither entry held the paper's value
    assert {r.role: r.errors for r in rates.by_enterer} == {"first": 1, "second": 1}


def test_a_flagged_import_is_left_out_until_every_row_is_entered_twice_and_decided(e, results_world):
    assert score_sample(rnd=results_world.round, domain="math", grade=4) is not None
    _enter_rest_correctly(e.verification, e.second)  # 1 of 4 fields: 25 % > 1 %
    e.verification.refresh_from_db()
    assert e.verification.needs_full_entry and import_check(e.ri).status == "flagged"
    assert active_import(rnd=results_world.round, kind="scores", domain="math") is None
    assert score_sample(rnd=results_world.round, domain="math", grade=4) is None
    assert student_levels(rnd=results_world.round, domain="math", grade=4) == []
    assert verification_extend(verification=e.verification, user=results_world.staff) == 6
    disagreement_decide(disagreement=RowDisagreement.objects.get(), choice="first", user=results_world.staff)
    e.verification.refresh_from_db()
    assert e.verification.needs_full_entry  # six rows are still to be entered twice
    _enter_rest_correctly(e.verification, e.second)
    e.verification.refresh_from_db()
    assert not e.verification.needs_full_entry and import_check(e.ri).status == "full"
    sample = score_sample(rnd=results_world.round, domain="math", grade=4)
    assert sample is not None and len(sample) == 8
    assert [h.needs_full_entry for h in e.verification.history.order_by("history_date")][-1] is False


def test_the_pe_sheet_compares_every_measure_and_the_status(results_world, capture):
    uploader, second = person(results_world, "uploader"), person(results_world, "second")
    ri = pe_import(results_world, capture, user=uploader)
    verification = verification_draw(result_import=ri, user=results_world.staff, seed=3)
    one, two = verification.rows.all()
    fields = [
        "height_cm",
        "weight_kg",
        "vision_left",
        "vision_right",
        "vital_capacity_ml",
        "run_50m_s",
        "sit_and_reach_cm",
        "rope_skipping",
    ]
    values = dict(zip(fields, map(float, PE_VALUES), strict=True))
    second_entry_save(row=one, second={"attendance": "present", **values}, user=second)
    second_entry_save(row=two, second={"attendance": "present", **values, "weight_kg": 53.3}, user=second)
    rates = error_rates(verification=verification)
    assert (rates.compared, rates.disagreeing) == (18, 1)  # 2 rows × (status + 8 measures)
    assert math.isclose(rates.percent, 100 / 18)
    d = RowDisagreement.objects.get()
    disagreement_decide(disagreement=d, choice="first", user=results_world.staff)
    assert ri.measurements.get(student=two.student).weight_kg == 35.3


def test_a_reimport_replacing_a_verified_import_has_no_sample(e, results_world, capture, client):
    again = upload(
        results_world, capture, xlsx_bytes(score_rows(results_world), header=SCORE_HEADER), user=results_world.staff, state="awaiting"
    )
    from results.services import result_import_confirm

    with capture(execute=True):
        result_import_confirm(result_import=again, user=results_world.staff, language="en")
    again.refresh_from_db()
    assert import_check(again).verification is None
    client.force_login(results_world.staff)
    page = client.get(reverse("results_import_detail", args=[again.pk])).content.decode()
    assert "replaced-verified" in page and reverse("results_verification_draw", args=[again.pk]) in page


# --- the second workbook -----------------------------------------------------------------


def test_the_second_workbook_lists_drawn_rows_blank_and_is_taken_whole(e, results_world, client):
    client.force_login(e.second)
    data = client.get(reverse("results_verification_workbook", args=[e.ri.pk])).content
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    listed = [[c.value for c in row] for row in sheet.iter_rows(min_row=1)]
    mid = e.waiting.student.monitoring_id
    assert listed == [SCORE_HEADER, [mid, "数学", None, None]]
    first = StudentScore.objects.get(result_import=e.ri, student=e.waiting.student).score
    url = reverse("results_verification_rows", args=[e.ri.pk])
    bad = filled(data, {mid: ("", "五百")})
    page = client.post(url, {"file": SimpleUploadedFile("second.xlsx", bad)}).content.decode()
    assert "workbook-errors" in page and "<td>2</td><td>成绩</td>" in page and "五百" in page
    assert VerificationRow.objects.get(pk=e.waiting.pk).entered_at is None
    good = filled(data, {mid: ("", first)})
    response = client.post(url, {"file": SimpleUploadedFile("second.xlsx", good)})
    assert response.status_code == 302
    row = VerificationRow.objects.get(pk=e.waiting.pk)
    assert row.entered_by == e.second and row.second_values == {"attendance": "present", "score": first}


def test_the_second_workbook_has_no_formula_cells(e, client):
    from tests.security.test_exports import formula_cells

    client.force_login(e.second)
    dangerous, texts = formula_cells(client.get(reverse("results_verification_workbook", args=[e.ri.pk])).content)
    assert not dangerous and e.waiting.student.monitoring_id in texts


def test_a_workbook_row_not_drawn_refuses_the_whole_workbook(e, results_world, client):
    client.force_login(e.second)
    other = next(s for s in results_world.students if s.pk not in (e.entered.student_id, e.waiting.student_id))
    rows = [(e.waiting.student.monitoring_id, "数学", "", 500), (other.monitoring_id, "数学", "", 500)]
    url = reverse("results_verification_rows", args=[e.ri.pk])
    page = client.post(url, {"file": SimpleUploadedFile("s.xlsx", xlsx_bytes(rows, header=SCORE_HEADER))}).content.decode()
    assert f"<td>3</td><td>监测编号</td><td>监测编号 {other.monitoring_id} 未被抽为二次录入" in page
    assert VerificationRow.objects.get(pk=e.waiting.pk).entered_at is None


# --- the pages, per view and per person --------------------------------------------------


def test_the_quick_entry_page_shows_none_of_the_first_entry_and_saves_with_enter(e, results_world, client):
    client.force_login(e.second)
    url = reverse("results_second_entry", args=[e.waiting.pk])
    page = client.get(url).content.decode()
    values = re.findall(r'<input class="form-control[^>]*value="([^"]*)"', page)
    assert len(values) == 2 and all(v == "" for v in values)
    assert "verification.js" in page and 'id="quick-entry"' in page
    response = client.post(url, {"attendance": "缺考", "score": "500"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode() and 'value="500"' in response.content.decode()
    response = client.post(url, {"attendance": "", "score": "1500"})
    assert "invalid-feedback" in response.content.decode()
    assert VerificationRow.objects.get(pk=e.waiting.pk).entered_at is None
    first = StudentScore.objects.get(result_import=e.ri, student=e.waiting.student).score
    response = client.post(url, {"attendance": "", "score": f"{first:g}"})
    assert response.status_code == 302
    assert VerificationRow.objects.get(pk=e.waiting.pk).second_values == {"attendance": "present", "score": first}


FIRST_REFUSED = ["results_verification_rows", "results_verification_workbook", "results_second_entry", "results_verification_compare"]


@pytest.mark.parametrize("name", FIRST_REFUSED)
def test_the_uploader_is_refused_the_second_entry_and_the_comparison(e, client, name):
    client.force_login(e.uploader)
    pk = e.waiting.pk if name == "results_second_entry" else e.ri.pk
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 403
    assert "entry-refused" in response.content.decode()


def test_the_second_enterer_sees_no_first_value(e, client, results_world):
    client.force_login(e.second)
    response = client.get(reverse("results_verification_compare", args=[e.ri.pk]))
    assert response.status_code == 403 and "disagreements" not in response.content.decode()
    first = StudentScore.objects.get(result_import=e.ri, student=e.waiting.student).score
    for name, pk in [("results_verification_rows", e.ri.pk), ("results_second_entry", e.waiting.pk), ("results_import_detail", e.ri.pk)]:
        body = client.get(reverse(name, args=[pk])).content.decode()
        assert f"{first:g}" not in body.replace(str(e.verification.seed), ""), name
    listed = [row["monitoring_id"] for row in student_levels(rnd=results_world.round, domain="math", grade=4)]
    assert e.waiting.student.monitoring_id not in listed and e.entered.student.monitoring_id in listed
    d = RowDisagreement.objects.get()
    client.post(reverse("results_disagreement_decide", args=[d.pk]), {"choice": "second"})
    assert RowDisagreement.objects.get().decided_at is None


def test_a_third_person_sees_both_entries_beside_the_monitoring_id_and_decides(e, client, results_world):
    client.force_login(results_world.staff)
    body = client.get(reverse("results_verification_compare", args=[e.ri.pk])).content.decode()
    d = RowDisagreement.objects.get()
    assert e.entered.student.monitoring_id in body
    assert f"<td>成绩</td><td>{d.first_value:g}</td><td>{d.second_value:g}</td>" in body
    client.post(reverse("results_disagreement_decide", args=[d.pk]), {"choice": "first"})
    assert RowDisagreement.objects.get().decided_by == results_world.staff


def test_the_import_page_states_the_rate_by_enterer(e, client, results_world):
    _enter_rest_correctly(e.verification, e.second)
    client.force_login(results_world.staff)
    body = client.get(reverse("results_import_detail", args=[e.ri.pk])).content.decode()
    assert "verification-flag" in body and '<td class="rate-overall">25.00%</td>' in body
    assert "李首录" in body and "王复录" in body
    assert reverse("results_verification_extend", args=[e.ri.pk]) in body
    overview = client.get(reverse("results_overview", args=[results_world.round.pk])).content.decode()
    assert "held-import" in overview


def test_the_county_report_states_the_rate_of_the_score_sheets(e, results_world):
    assert [c.status for c in result_entry_summary(rnd=results_world.round)] == ["open"]
    _enter_rest_correctly(e.verification, e.second)
    disagreement_decide(disagreement=RowDisagreement.objects.get(), choice="first", user=results_world.staff)
    text = pdf_text(build(results_world, "county_report"))
    assert "成绩和体质健康测试表的录入" in text
    assert "2/2" in text and "25.00%" in text
    assert "未达到：需全部二次录入" in text  # the score-sheet rows are all entered, not the import's
    assert "首次录入:李首录400.00%" in text and "二次录入:王复录4125.00%" in text  # compared, errors, rate


def test_the_double_entry_pages_are_in_chinese(e, client, results_world):
    from ..test_chinese_pages import offences, shown

    _enter_rest_correctly(e.verification, e.second)
    names = frozenset({"uploader", "second", "staff", "Sheet"})  # and the test workbook's sheet, named by openpyxl
    pages = {
        e.second: [reverse("results_verification_rows", args=[e.ri.pk])],
        results_world.staff: [
            reverse("results_verification_compare", args=[e.ri.pk]),
            reverse("results_import_detail", args=[e.ri.pk]),
            reverse("results_overview", args=[results_world.round.pk]),
        ],
    }
    verification_extend(verification=e.verification, user=results_world.staff)
    pages[e.second].append(reverse("results_second_entry", args=[e.verification.rows.filter(entered_at=None).first().pk]))
    pages[e.uploader] = [reverse("results_verification_compare", args=[e.ri.pk])]
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            assert offences(" ".join(shown(client.get(url).content.decode()).parts), names) == [], url


def test_item_scores_are_fields_of_their_own(results_world, capture, client):
    uploader, second = person(results_world, "uploader"), person(results_world, "second")
    rows = [(*row, 1, 0.5) for row in score_rows(results_world)]
    ri = upload(results_world, capture, xlsx_bytes(rows, header=[*SCORE_HEADER, "题1", "题2"]), user=uploader)
    verification = verification_draw(result_import=ri, user=results_world.staff, seed=5)
    client.force_login(second)
    data = client.get(reverse("results_verification_workbook", args=[ri.pk])).content
    ids = list(verification.rows.values_list("student__monitoring_id", flat=True))
    scores = dict(ri.scores.values_list("student__monitoring_id", "score"))
    # The first row as on paper; the second with 题2 typed 1 instead of 0.5.
    typed = filled(data, {ids[0]: ("", scores[ids[0]], 1, 0.5), ids[1]: ("", scores[ids[1]], 1, 1)})
    response = client.post(reverse("results_verification_rows", args=[ri.pk]), {"file": SimpleUploadedFile("s.xlsx", typed)})
    assert response.status_code == 302
    rates = error_rates(verification=verification)
    assert (rates.compared, rates.disagreeing) == (8, 1)  # 2 rows × (status, score, 题1, 题2)
    d = RowDisagreement.objects.get()
    assert (d.field, d.first_value, d.second_value) == ("item:题2", 0.5, 1.0)
    client.force_login(results_world.staff)
    assert "<td>题2</td><td>0.5</td><td>1</td>" in client.get(reverse("results_verification_compare", args=[ri.pk])).content.decode()
    disagreement_decide(disagreement=d, choice="other", other="0", user=results_world.staff)
    assert ri.scores.get(student__monitoring_id=ids[1]).items == {"题1": 1.0, "题2": 0.0}


def test_after_the_results_stages_the_double_entry_is_shown_read_only_and_changes_nothing(e, results_world, client):
    """Once the round has moved past the results stages, the check can change no data: its
    pages say so and offer no entry or decision, and a POST is refused with the same words."""
    from rounds.models import Stage

    Round = type(e.ri.round)
    Round.objects.filter(pk=e.ri.round_id).update(stage=Stage.RECTIFICATION)
    disagreement = RowDisagreement.objects.get(row=e.entered)
    client.force_login(results_world.staff)  # neither enterer: may decide in the results stages
    page = client.get(reverse("results_verification_compare", args=[e.ri.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "仅供查看" in page and "decide-form" not in page and "未裁定" in page and "undecided" not in page
    assert "行录入两次" in page and "请对照纸质表" not in page  # no call to decide what cannot be
    client.post(reverse("results_disagreement_decide", args=[disagreement.pk]), {"choice": "first"})
    disagreement.refresh_from_db()
    assert disagreement.decided_at is None
    page = client.get(reverse("results_import_detail", args=[e.ri.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "仅供查看" in page

    client.force_login(e.second)
    page = client.get(reverse("results_verification_rows", args=[e.ri.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "仅供查看" in page and reverse("results_second_entry", args=[e.waiting.pk]) not in page
    assert 'type="file"' not in page
    response = client.get(reverse("results_second_entry", args=[e.waiting.pk]))
    assert response.status_code == 302
    with pytest.raises(EntryRefused, match="阶段"):
        from django.utils import translation

        with translation.override("zh-hans"):
            second_entry_save(row=e.waiting, second={"attendance": "present", "score": 500.0}, user=e.second)
    assert VerificationRow.objects.get(pk=e.waiting.pk).entered_at is None


def test_the_double_entry_is_on_the_to_do_list_of_whoever_must_act(e, results_world):
    """The second enterer finds the drawn rows still to enter; a third person the
    disagreements to decide; the first enterer neither; once done, the lines are gone."""
    from django.utils import translation

    from rounds.forms import today
    from rounds.selectors import todo_for

    def lines(user):
        with translation.override("zh-hans"):
            return [(t.title, t.url) for t in todo_for(user, today=today(), rnd=e.ri.round) if "二次录入" in t.title]

    name = e.ri.batch.original_name
    rows_url = reverse("results_verification_rows", args=[e.ri.pk])
    compare_url = reverse("results_verification_compare", args=[e.ri.pk])
    assert lines(e.second) == [(f"二次录入 {name} 中抽中的 1 行", rows_url)]
    assert lines(results_world.staff) == [
        (f"二次录入 {name} 中抽中的 1 行", rows_url),
        (f"对照纸质表裁定 {name} 二次录入的 1 处不一致", compare_url),
    ]
    assert lines(e.uploader) == []
    _enter_rest_correctly(e.verification, e.second)
    disagreement_decide(disagreement=RowDisagreement.objects.get(row=e.entered), choice="second", user=results_world.staff)
    assert lines(e.second) == [] and lines(results_world.staff) == []
