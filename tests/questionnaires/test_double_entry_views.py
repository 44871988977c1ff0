"""The double-entry pages: the quick entry (empty fields, the import's rules), the comparison
and its decisions, and the rate on the import page."""

import re

import pytest
from django.urls import reverse

from monitoring_site.roles import Role
from questionnaires.models import Answer, Disagreement, VerificationForm, VerificationSample
from questionnaires.verification import second_entry_save, verification_sample_draw

from ..factories import PersonFactory
from .double_entry import PaperBatch, checked, entered_sample, teacher_values


@pytest.fixture
def paper(qworld):
    return PaperBatch(rnd=qworld.rnd, first=qworld.world.staff)


def entered_sample_of(paper):
    return verification_sample_draw(batch=paper.batch, user=paper.first, seed=1).forms.first()


def test_staff_draw_the_sample_from_the_import_page(client, paper):
    client.force_login(paper.first)
    page = client.get(reverse("paper_import_detail", args=[paper.batch.pk])).content.decode()
    assert reverse("verification_draw", args=[paper.batch.pk]) in page
    client.post(reverse("verification_draw", args=[paper.batch.pk]))
    sample = VerificationSample.objects.get(batch=paper.batch)
    assert sample.forms.count() == 2
    page = client.get(reverse("paper_import_detail", args=[paper.batch.pk])).content.decode()
    assert f"seed {sample.seed}" in page or f"种子 {sample.seed}" in page


def test_the_quick_entry_page_shows_none_of_the_first_entry(client, paper):
    entered = entered_sample_of(paper)
    client.force_login(paper.second)
    page = client.get(reverse("second_entry", args=[entered.pk])).content.decode()
    values = re.findall(r'<input class="form-control[^>]*value="([^"]*)"', page)
    assert values and all(v == "" for v in values)
    assert "verification.js" in page


def test_the_second_entry_is_checked_like_the_import_and_nothing_kept_when_wrong(client, paper):
    form = entered_sample_of(paper)
    client.force_login(paper.second)
    url = reverse("second_entry", args=[form.pk])
    response = client.post(url, teacher_values(years_teaching="99", subject=""))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("invalid-feedback") == 2
    assert 'value="99"' in body  # the second enterer's own typing is given back, never the first's
    assert VerificationForm.objects.get(pk=form.pk).entered_at is None
    response = client.post(url, teacher_values(years_teaching="21"))
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.entered_by == paper.second and form.second_values["years_teaching"] == 21
    assert response["Location"] == reverse("second_entry", args=[form.sample.forms.exclude(pk=form.pk).get().pk])
    assert Answer.objects.get(response=form.response, item__code="years_teaching").value == 12


def test_a_third_person_sees_both_entries_beside_the_form_id_and_decides(client, qworld):
    uploader = PersonFactory(county=qworld.world.county, role=Role.COUNTY_STAFF, user__username="uploader").user
    paper = entered_sample(rnd=qworld.rnd, uploader=uploader)
    client.force_login(qworld.world.staff)
    url = reverse("verification_compare", args=[paper.batch.pk])
    body = client.get(url).content.decode()
    assert paper.entered.response.access_code.display_code in body
    assert "<td>12</td><td>21</td>" in body
    d = Disagreement.objects.get()
    client.post(reverse("disagreement_decide", args=[d.pk]), {"choice": "other", "other": "50"})
    assert Disagreement.objects.get().decided_at is None  # 50 years is out of range: refused
    client.post(reverse("disagreement_decide", args=[d.pk]), {"choice": "other", "other": "13"})
    d.refresh_from_db()
    assert (d.choice, d.decided_value, d.decided_by) == ("other", 13, qworld.world.staff)
    assert Answer.objects.get(response=d.form.response, item__code="years_teaching").value == 13


def test_the_import_page_states_the_rate_and_the_flag(client, qworld):
    uploader = PersonFactory(county=qworld.world.county, role=Role.COUNTY_STAFF, user__username="uploader").user
    paper = entered_sample(rnd=qworld.rnd, uploader=uploader)
    client.force_login(uploader)
    body = client.get(reverse("paper_import_detail", args=[paper.batch.pk])).content.decode()
    assert "7.14%" in body  # 1 disagreeing field of the 14 compared so far
    assert "verification-flag" not in body  # one drawn form still waits for its second entry
    second_entry_save(form=paper.waiting, values=checked(paper), user=paper.second)
    body = client.get(reverse("paper_import_detail", args=[paper.batch.pk])).content.decode()
    assert "3.57%" in body and "verification-flag" in body  # 1 of 28 > 1 %


def test_the_data_export_leaves_out_a_drawn_form_until_its_second_entry(client, paper):
    """The second enterer is county staff, who may export the instrument's data: the forms they
    are to enter again are not in it while they wait, so the first entry's values stay unseen."""
    import io

    from openpyxl import load_workbook

    form = entered_sample_of(paper)
    respondent = form.response.access_code.respondent_label

    def exported_respondents():
        client.force_login(paper.second)
        book = load_workbook(io.BytesIO(client.get(reverse("instrument_export", args=[paper.instrument.pk])).content))
        return [row[0] for row in book.worksheets[-1].iter_rows(min_row=2, values_only=True)]

    others = exported_respondents()
    assert respondent not in others and others  # the forms not drawn are there
    second_entry_save(form=form, values=checked(paper), user=paper.second)
    assert respondent in exported_respondents()


def test_the_double_entry_is_on_the_to_do_list_of_whoever_must_act(qworld):
    """The second enterer finds the forms still to enter; a third person the disagreements
    to decide; the first enterer neither; once done, the lines are gone."""
    from django.utils import translation

    from questionnaires.verification import disagreement_decide
    from rounds.forms import today
    from rounds.selectors import todo_for

    uploader = PersonFactory(county=qworld.world.county, role=Role.COUNTY_STAFF, user__username="uploader").user
    paper = entered_sample(rnd=qworld.rnd, uploader=uploader)
    third = qworld.world.staff

    def lines(user):
        with translation.override("zh-hans"):
            return [(t.title, t.url) for t in todo_for(user, today=today(), rnd=qworld.rnd) if "二次录入" in t.title]

    waiting = paper.sample.forms.filter(entered_at=None).count()
    forms_url = reverse("verification_forms", args=[paper.batch.pk])
    assert lines(paper.second) == [(f"二次录入 paper.xlsx 中抽中的 {waiting} 份纸质问卷", forms_url)]
    assert lines(third) == [
        (f"二次录入 paper.xlsx 中抽中的 {waiting} 份纸质问卷", forms_url),
        ("对照纸质问卷裁定 paper.xlsx 二次录入的 1 处不一致", reverse("verification_compare", args=[paper.batch.pk])),
    ]
    assert lines(uploader) == []
    for form in paper.sample.forms.filter(entered_at=None):
        second_entry_save(form=form, values=checked(paper), user=paper.second)
    disagreement_decide(disagreement=Disagreement.objects.get(), choice="first", user=third)
    assert lines(paper.second) == [] and lines(third) == []
