"""School letters: one per sampled school through a group of jobs, the school beside the
county, never another school, never a student's name, never a ranking."""

import pytest
from django.test import TestCase
from django.urls import reverse

from rounds.documents import document_build_run
from rounds.letters import school_letters_request
from rounds.models import Document
from sampling.models import SampledSchool

from .helpers import RANKING, build, pdf_text


def _letters(world):
    with TestCase.captureOnCommitCallbacks(execute=True):
        documents = school_letters_request(rnd=world.round, user=world.staff)
    return list(Document.objects.filter(pk__in=[d.pk for d in documents]).order_by("pk"))


def test_the_group_builds_one_letter_per_sampled_school(report_world):
    letters = _letters(report_world)
    schools = SampledSchool.objects.filter(round=report_world.round)
    assert sorted(d.subject for d in letters) == sorted(str(s.pk) for s in schools)
    assert all(d.status == Document.Status.DONE for d in letters), [d.error for d in letters]


def test_a_letter_shows_its_school_beside_the_county(report_world):
    school = SampledSchool.objects.get(round=report_world.round, school=report_world.school_a)
    letter = build(report_world, "school_letter", str(school.pk))
    text = pdf_text(letter)
    own = [y for s, y in zip(report_world.students, report_world.scores, strict=True) if s.sampled_school_id == school.pk]
    everyone = list(zip(report_world.students, report_world.scores, strict=True))
    county = sum(s.final_weight * y for s, y in everyone) / sum(s.final_weight for s, _y in everyone)
    for expected in ["甲小学", "内部资料", "一、参测情况", "二、学业表现（与全县对照）", "五、改进建议", "本校", "全县",
                     f"{sum(own) / len(own):.1f}", f"{county:.1f}"]:  # fmt: skip
        assert expected in text, expected


def test_a_letter_never_names_a_student_or_another_school_nor_ranks(report_world):
    for letter in _letters(report_world):
        text = pdf_text(letter)
        own = SampledSchool.objects.get(pk=int(letter.subject)).school
        others = [s for s in (report_world.school_a, report_world.school_b) if s != own]
        assert own.name in text
        assert not any(s.name in text for s in others)
        assert not any(student.name in text or student.monitoring_id in text for student in report_world.students)
        assert not RANKING.search(text)


def test_a_letter_without_results_says_so(world):
    from tests.results.factories import make_sample

    make_sample(world.round, schools=[world.school_a])
    letter = _letters(world)[0]
    assert letter.status == Document.Status.DONE, letter.error
    assert "成绩尚未导入" in pdf_text(letter)


def test_a_second_click_while_the_letters_wait_makes_no_duplicate(report_world):
    with TestCase.captureOnCommitCallbacks(execute=False):
        first = school_letters_request(rnd=report_world.round, user=report_world.staff)
        second = school_letters_request(rnd=report_world.round, user=report_world.staff)
    assert [d.pk for d in second] == [d.pk for d in first]
    assert Document.objects.filter(kind="school_letter").count() == 2


def test_rebuilding_a_letter_gives_the_same_data_version_and_no_duplicate(report_world):
    first = _letters(report_world)
    again = document_build_run(document_id=first[0].pk)
    assert again.pdf.name == first[0].pdf.name
    second = _letters(report_world)
    assert Document.objects.filter(kind="school_letter").count() == 4  # old versions stay
    assert [d.data_version for d in second] == [d.data_version for d in first]


def test_the_button_builds_all_letters_for_county_staff(client, report_world):
    client.force_login(report_world.staff)
    page = client.get(reverse("document_list", args=[report_world.round.pk])).content.decode()
    assert reverse("school_letters_request", args=[report_world.round.pk]) in page
    assert 'value="school_letter"' not in page  # a letter is per school: no single button
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("school_letters_request", args=[report_world.round.pk]))
    assert response["Location"] == reverse("document_list", args=[report_world.round.pk])
    assert Document.objects.filter(kind="school_letter", status=Document.Status.DONE).count() == 2


@pytest.mark.parametrize("role", ["leader", "inspector", "coord_a", "monitor", "dept"])
def test_other_roles_may_not_build_the_letters(client, report_world, role):
    client.force_login(report_world.users()[role])
    assert client.post(reverse("school_letters_request", args=[report_world.round.pk])).status_code == 403
    assert not Document.objects.exists()


def test_another_countys_round_is_not_found_and_anonymous_must_log_in(client, report_world):
    url = reverse("school_letters_request", args=[report_world.foreign_round.pk])
    assert client.post(url)["Location"].startswith(reverse("login"))
    client.force_login(report_world.staff)
    assert client.post(url).status_code == 404
