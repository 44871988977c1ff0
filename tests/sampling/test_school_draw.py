"""The recorded PPS school draw, its confirmation, the frozen frame and replacements,
checked against hand-worked figures."""

from fractions import Fraction

import pytest

from rounds.models import SchoolType, Stage
from sampling import services
from sampling.models import SampledSchool, SchoolDraw
from sampling.selectors import sampled_schools
from sampling.services import SamplingError
from tests.factories import SchoolFactory

from .conftest import open_sampling


def _frame(world, sizes: list[int], *, school_type=SchoolType.PRIMARY, location="rural"):
    open_sampling(world)
    schools = [SchoolFactory(county=world.county, school_type=school_type, location=location, name=f"样校{i}") for i in range(len(sizes))]
    services.frame_build(rnd=world.round, user=world.staff)
    services.frame_update(
        rnd=world.round,
        enrolments={s.pk: (size, 0) for s, size in zip(schools, sizes, strict=True)} | {world.school_a.pk: (0, 0)},
        user=world.staff,
    )
    return schools


def _draw(world, n, seed=1, grade=4, sort_order="location,school_type,size"):
    return services.school_draw_run(rnd=world.round, grade=grade, n=n, seed=seed, sort_order=sort_order, user=world.staff)


def test_probabilities_and_weights_match_the_hand_worked_example(world):
    # T = 100+200+300+400 = 1000, n = 2, I = 500: no certainty school; π = 2·size/1000.
    schools = _frame(world, [100, 200, 300, 400])
    draw = _draw(world, 2)
    by_school = {s.pk: size for s, size in zip(schools, [100, 200, 300, 400], strict=True)}
    sample = list(SampledSchool.objects.filter(round=world.round, grade=4))
    assert len(sample) == 2
    for s in sample:
        assert s.probability == pytest.approx(2 * by_school[s.school_id] / 1000)
        assert s.weight == pytest.approx(1000 / (2 * by_school[s.school_id]))
        assert not s.certainty
    assert Fraction(draw.result["interval"]) == 500
    assert 0 < Fraction(draw.result["random_start"]) <= 500
    assert draw.frame_total == 1000 and draw.frame_units == 4


def test_a_school_at_least_the_interval_is_taken_with_certainty(world):
    # T = 1100, n = 2, I = 550: the 900 school is certain; the other is drawn from 200 with n' = 1.
    schools = _frame(world, [900, 50, 50, 100])
    _draw(world, 2)
    big = SampledSchool.objects.get(round=world.round, school=schools[0])
    assert big.certainty and big.probability == 1 and big.weight == 1
    other = SampledSchool.objects.filter(round=world.round).exclude(pk=big.pk).get()
    size = {schools[1].pk: 50, schools[2].pk: 50, schools[3].pk: 100}[other.school_id]
    assert other.probability == pytest.approx(size / 200)


def test_the_draw_is_a_recorded_event_and_the_same_seed_gives_the_same_sample(world):
    _frame(world, [30, 60, 90, 120, 150, 180, 210, 240, 270, 300])
    first = _draw(world, 4, seed=2027)
    ids_first = sorted(SampledSchool.objects.filter(round=world.round).values_list("school_id", flat=True))
    second = _draw(world, 4, seed=2027)
    ids_second = sorted(SampledSchool.objects.filter(round=world.round).values_list("school_id", flat=True))
    assert ids_first == ids_second
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert (second.seed, second.n, second.sort_keys, second.drawn_by) == (2027, 4, ["location", "school_type", "size"], world.staff)
    assert second.frame_version == services.plan_for(world.round).frame_version
    assert len(second.result["selected"]) == 4
    assert SchoolDraw.objects.filter(round=world.round).count() == 2


def test_schools_without_pupils_or_without_the_grade_are_left_out(world):
    schools = _frame(world, [0, 80, 120])
    services.frame_update(rnd=world.round, enrolments={world.school_b.pk: (0, 300)}, user=world.staff)
    draw = _draw(world, 5)
    drawn = set(SampledSchool.objects.filter(round=world.round, grade=4).values_list("school_id", flat=True))
    assert drawn == {schools[1].pk, schools[2].pk}  # n ≥ frame: every school with pupils taken
    assert schools[0].pk in draw.result["excluded"]
    assert world.school_b.pk not in draw.result["frame_order"]  # a junior school has no grade 4


def test_each_sampled_school_gets_two_replacements_from_the_sorted_frame(world):
    _frame(world, [50 + 10 * i for i in range(12)])
    _draw(world, 3)
    for s in SampledSchool.objects.filter(round=world.round):
        assert len(s.replacement_candidates) == 2
        assert s.school_id not in s.replacement_candidates


def test_confirming_freezes_the_frame_and_the_sample(world):
    schools = _frame(world, [100, 200, 300, 400])
    draw = _draw(world, 2)
    services.school_draw_confirm(draw=draw, user=world.staff)
    plan = services.plan_for(world.round)
    assert plan.is_frozen
    with pytest.raises(SamplingError):
        services.frame_update(rnd=world.round, enrolments={schools[0].pk: (1, 0)}, user=world.staff)
    with pytest.raises(SamplingError):
        _draw(world, 2, seed=5)


def test_a_draw_made_on_an_older_frame_cannot_be_confirmed(world):
    schools = _frame(world, [100, 200, 300, 400])
    draw = _draw(world, 2)
    services.frame_update(rnd=world.round, enrolments={schools[0].pk: (150, 0)}, user=world.staff)
    with pytest.raises(SamplingError):
        services.school_draw_confirm(draw=draw, user=world.staff)


def test_nothing_is_drawn_outside_the_sampling_stage(world):
    _frame(world, [100, 200])
    world.round.stage = Stage.SETUP
    world.round.save()
    with pytest.raises(SamplingError):
        _draw(world, 1)


def test_a_replacement_is_recorded_with_its_reason_and_takes_the_weight(world):
    _frame(world, [50 + 10 * i for i in range(12)])
    draw = _draw(world, 3)
    original = SampledSchool.objects.filter(round=world.round).first()
    with pytest.raises(SamplingError):  # not before confirmation
        services.school_replace(sampled=original, school=original.school, reason="x", user=world.staff)
    services.school_draw_confirm(draw=draw, user=world.staff)
    candidates = services.replacement_choices(original)
    assert [c.pk for c in candidates] == original.replacement_candidates
    with pytest.raises(SamplingError):
        services.school_replace(sampled=original, school=candidates[0], reason="  ", user=world.staff)
    new = services.school_replace(sampled=original, school=candidates[0], reason="校舍维修，无法组织测试", user=world.staff)
    original.refresh_from_db()
    assert original.status == SampledSchool.Status.REPLACED and original.replacement_reason == "校舍维修，无法组织测试"
    assert new.status == SampledSchool.Status.REPLACEMENT and new.replaces == original
    assert (new.probability, new.weight) == (original.probability, original.weight)
    assert new.serial == 4
    taking_part = set(sampled_schools(rnd=world.round).values_list("school_id", flat=True))
    assert original.school_id not in taking_part and new.school_id in taking_part
    assert original.history.first().history_user == world.staff


def test_the_review_page_shows_sizes_probabilities_weights_and_replacements(client, world):
    schools = _frame(world, [100, 200, 300, 400])
    _draw(world, 2, seed=9)
    client.force_login(world.leader)
    body = client.get(f"/sampling/rounds/{world.round.pk}/draw/4/review/").content.decode()
    for s in SampledSchool.objects.filter(round=world.round):
        assert s.school.name in body
        assert f"{s.probability:.4f}" in body
    assert "9" in body and schools[0].name in body  # the seed; a replacement candidate's name


def test_staff_draw_and_confirm_through_the_pages(client, world):
    _frame(world, [100, 200, 300, 400, 500])
    client.force_login(world.staff)
    url = f"/sampling/rounds/{world.round.pk}/draw/4/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"n": 2, "seed": 42, "sort_order": "size"})
    assert response.status_code == 302
    assert SchoolDraw.objects.get(round=world.round).sort_keys == ["size"]
    client.post(f"/sampling/rounds/{world.round.pk}/draw/4/confirm/")
    assert SchoolDraw.objects.get(round=world.round).is_confirmed


def test_a_school_learns_it_is_sampled_only_when_the_draw_is_confirmed(client, world):
    from .conftest import build_frame

    build_frame(world)
    draw = _draw(world, 12)
    sampled = SampledSchool.objects.get(round=world.round, school=world.school_a)
    client.force_login(world.coord_a)
    assert client.get(f"/sampling/schools/{sampled.pk}/").status_code == 404
    assert world.school_a.name not in client.get("/sampling/mine/").content.decode()
    services.school_draw_confirm(draw=draw, user=world.staff)
    assert client.get(f"/sampling/schools/{sampled.pk}/").status_code == 200


def test_replacing_is_offered_only_in_its_stages_and_a_refused_reason_is_kept(client, world):
    _frame(world, [50 + 10 * i for i in range(12)])
    services.school_draw_confirm(draw=_draw(world, 3), user=world.staff)
    original = SampledSchool.objects.filter(round=world.round).first()
    replace = f"/sampling/schools/{original.pk}/replace/"
    review = f"/sampling/rounds/{world.round.pk}/draw/4/review/"
    client.force_login(world.staff)
    assert replace in client.get(review).content.decode()
    world.round.stage = Stage.RECTIFICATION
    world.round.save()
    assert replace not in client.get(review).content.decode()
    page = client.get(replace).content.decode()
    assert "replace-refusal" in page and "记录替换" not in page and "disabled" in page
    candidate = services.replacement_choices(original)[0]
    response = client.post(replace, {"school": candidate.pk, "reason": "校舍维修，无法组织测试"})
    assert response.status_code == 409 and "校舍维修，无法组织测试" in response.content.decode()
    assert SampledSchool.objects.get(pk=original.pk).status != SampledSchool.Status.REPLACED
