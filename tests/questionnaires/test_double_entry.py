"""Double entry of paper forms: the seeded draw, the second entry kept apart, decisions by a
third person, the error rate against hand-worked counts, and what results may use."""

import pytest

from monitoring_site.double_entry import sample_draw
from monitoring_site.roles import Role
from questionnaires.models import Answer, Disagreement, IndicatorValue, Response, VerificationForm
from questionnaires.selectors import indicator_values
from questionnaires.verification import (
    EntryRefused,
    disagreement_decide,
    double_entry_summary,
    error_rates,
    sample_replay,
    second_entry_save,
    verification_sample_draw,
    verification_sample_extend,
)

from ..factories import PersonFactory
from .double_entry import PaperBatch, checked

# The teacher form answered as in TEACHER_ANSWERS shows 14 fields (the 13 answered and the
# optional suggestion; the four PE questions are for PE teachers only).
SHOWN = 14


@pytest.fixture
def paper(qworld):
    return PaperBatch(rnd=qworld.rnd, first=qworld.world.staff)


def test_the_draw_takes_five_percent_of_each_school_and_at_least_one():
    forms = {"甲": list(range(1, 41)), "乙": [101, 102, 103], "丙": [201]}
    drawn = sample_draw(forms_by_school=forms, seed=7)
    assert len([f for f in drawn if f <= 40]) == 2  # ⌈0.05 × 40⌉
    assert len([f for f in drawn if 100 < f < 200]) == 1  # ⌈0.05 × 3⌉ = 1
    assert 201 in drawn
    assert drawn == sample_draw(forms_by_school={k: list(reversed(v)) for k, v in reversed(forms.items())}, seed=7)
    assert any(sample_draw(forms_by_school=forms, seed=s) != drawn for s in range(8, 20))


def test_the_sample_is_recorded_with_its_seed_and_replays(paper, qworld):
    sample = verification_sample_draw(batch=paper.batch, user=paper.first, seed=12345)
    drawn = list(sample.forms.values_list("response_id", flat=True))
    assert sample.seed == 12345
    schools = set(Response.objects.filter(pk__in=drawn).values_list("access_code__sampled_school", flat=True))
    assert schools == {qworld.ss_a.pk, qworld.ss_b.pk}  # two forms a school: one each
    assert sorted(sample_replay(sample=sample)) == sorted(drawn)
    assert sample.history.count() == 1
    with pytest.raises(EntryRefused):
        verification_sample_draw(batch=paper.batch, user=paper.first)


def test_the_second_entry_is_kept_apart_and_compared_field_by_field(paper):
    sample = verification_sample_draw(batch=paper.batch, user=paper.first, seed=1)
    one, two = sample.forms.all()
    before = dict(Answer.objects.filter(response=one.response).values_list("item__code", "value"))
    assert second_entry_save(form=one, values=checked(paper, years_teaching="21"), user=paper.second) == 1
    assert dict(Answer.objects.filter(response=one.response).values_list("item__code", "value")) == before
    one.refresh_from_db()
    assert one.second_values["years_teaching"] == 21
    assert one.fields_compared == SHOWN
    d = Disagreement.objects.get()
    assert (d.item.code, d.first_value, d.second_value, d.decided_at) == ("years_teaching", 12, 21, None)
    # A changed answer that opens the PE questions: they are compared too (shown in either entry).
    pe = {"pe_practice_share": "50", "pe_warmup": "1", "pe_plan": "1", "pe_occupied": "1"}
    assert second_entry_save(form=two, values=checked(paper, subject="pe", **pe), user=paper.second) == 5
    two.refresh_from_db()
    assert two.fields_compared == SHOWN + 4


def test_the_first_enterer_may_not_enter_a_second_time_nor_anyone_twice(paper):
    sample = verification_sample_draw(batch=paper.batch, user=paper.first, seed=1)
    form = sample.forms.first()
    with pytest.raises(EntryRefused):
        second_entry_save(form=form, values=checked(paper), user=paper.first)
    second_entry_save(form=form, values=checked(paper), user=paper.second)
    with pytest.raises(EntryRefused):
        second_entry_save(form=form, values=checked(paper, years_teaching="3"), user=paper.third)
    assert VerificationForm.objects.get(pk=form.pk).second_values["years_teaching"] == 12


def test_a_third_person_decides_and_the_value_decided_is_the_data_in_use(paper):
    sample = verification_sample_draw(batch=paper.batch, user=paper.first, seed=1)
    form = sample.forms.first()
    second_entry_save(form=form, values=checked(paper, lessons_week="20"), user=paper.second)
    d = Disagreement.objects.get()
    for user in (paper.first, paper.second):
        with pytest.raises(EntryRefused):
            disagreement_decide(disagreement=d, choice="second", user=user)
    with pytest.raises(EntryRefused):
        disagreement_decide(disagreement=d, choice="other", other="99", user=paper.third)  # out of range: nothing kept
    assert Disagreement.objects.get().decided_at is None
    disagreement_decide(disagreement=d, choice="second", user=paper.third)
    d.refresh_from_db()
    assert (d.choice, d.decided_value, d.decided_by, d.first_value) == ("second", 20, paper.third, 14)
    assert d.decided_at is not None
    assert Answer.objects.get(response=form.response, item__code="lessons_week").value == 20
    assert IndicatorValue.objects.get(response=form.response, code="teacher_lessons_week").value == 20
    assert [h.history_user for h in d.history.order_by("history_date")] == [paper.second, paper.third]


def test_the_error_rate_overall_and_by_enterer_against_hand_counts(paper):
    sample = verification_sample_draw(batch=paper.batch, user=paper.first, seed=1)
    one, two = sample.forms.all()
    second_entry_save(form=one, values=checked(paper, years_teaching="21"), user=paper.second)
    rates = error_rates(sample=sample)
    assert (rates.forms, rates.entered, rates.compared, rates.disagreeing, rates.complete) == (2, 1, 14, 1, False)
    sample.refresh_from_db()
    assert not sample.needs_full_entry  # not every drawn form is entered yet
    second_entry_save(form=two, values=checked(paper), user=paper.third)
    rates = error_rates(sample=sample)
    assert rates.compared == 28 and rates.disagreeing == 1
    assert rates.overall == pytest.approx(1 / 28)  # 3.6 % > 1 %
    assert rates.meets_goal is False
    sample.refresh_from_db()
    assert sample.needs_full_entry
    by = {r.user.username: r for r in rates.by_enterer}
    assert (by["staff"].compared, by["second"].compared, by["third"].compared) == (28, 14, 14)
    assert (by["staff"].undecided, by["second"].undecided) == (1, 1)
    # A fourth person decides: "second" and "third" both entered forms of this batch.
    decider = PersonFactory(county=paper.batch.county, role=Role.COUNTY_STAFF, user__username="fourth").user
    disagreement_decide(disagreement=Disagreement.objects.get(), choice="first", user=decider)
    by = {r.user.username: r for r in error_rates(sample=sample).by_enterer}
    assert (by["staff"].errors, by["second"].errors, by["third"].errors) == (0, 1, 0)
    assert by["second"].rate == pytest.approx(1 / 14)


def test_results_use_decided_values_and_never_a_batch_above_the_goal(paper):
    def used():
        return set(indicator_values(rnd=paper.batch_round, indicator="teacher_lessons_week").values_list("response_id", flat=True))

    paper.batch_round = paper.instrument.round
    everyone = set(Response.objects.filter(import_batch=paper.batch).values_list("pk", flat=True))
    assert used() == everyone
    sample = verification_sample_draw(batch=paper.batch, user=paper.first, seed=1)
    one, two = sample.forms.all()
    second_entry_save(form=one, values=checked(paper, lessons_week="20"), user=paper.second)
    assert used() == everyone - {one.response_id}  # a disagreement waits for its decision
    second_entry_save(form=two, values=checked(paper), user=paper.second)
    assert used() == set()  # 1 of 28 fields: the whole batch needs full double entry


def test_a_flagged_batch_is_used_again_once_every_form_is_entered_twice_and_decided(paper):
    sample = verification_sample_draw(batch=paper.batch, user=paper.first, seed=1)
    with pytest.raises(EntryRefused):
        verification_sample_extend(sample=sample, user=paper.first)  # not flagged: nothing to extend
    for form in sample.forms.all():
        second_entry_save(form=form, values=checked(paper, lessons_week="20"), user=paper.second)
    sample.refresh_from_db()
    assert sample.needs_full_entry
    assert verification_sample_extend(sample=sample, user=paper.first) == 2  # the other two forms
    assert sample.forms.count() == 4
    decider = PersonFactory(county=paper.batch.county, role=Role.COUNTY_STAFF, user__username="fourth").user
    for form in sample.forms.filter(entered_at=None):
        second_entry_save(form=form, values=checked(paper), user=paper.third)
    for d in Disagreement.objects.all():
        sample.refresh_from_db()
        assert sample.needs_full_entry  # until the last decision
        disagreement_decide(disagreement=d, choice="first", user=decider)
    sample.refresh_from_db()
    assert not sample.needs_full_entry
    [check] = double_entry_summary(rnd=paper.instrument.round)
    assert (check.rates.disagreeing, check.rates.compared) == (2, 56)
    assert check.status == "full"
    used = indicator_values(rnd=paper.instrument.round, indicator="teacher_lessons_week")
    assert sorted(used.values_list("value", flat=True)) == [14, 14, 14, 14]
