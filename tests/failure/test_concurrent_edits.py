"""Two people save the same record: the second is told who changed it and when, nothing is lost
(issue 9 §5).

Both open the edit page, so both forms carry the same version; the first saves, the second's
save is refused with HTTP 409 and the "who, when" message, and the first one's text is what
the database holds. The rows below are the versioned forms whose apps do not test this through
the page already (school edit: tests/rounds/test_history.py; round edit:
tests/rounds/test_round_setup.py; checklist answers and review: tests/logistics/test_checklist.py).
Mock drills and staff assignments are added as new rows, never edited in place, and an
attendance mark is one student's status set by whoever marks it last, so they carry no version.
"""

import pytest
from django.test import Client
from django.urls import reverse

from logistics.models import SessionRecord
from rectification import services
from rectification.models import Plan, PlanItem
from rounds.models import Stage
from tests.logistics.conftest import lworld  # noqa: F401
from tests.rectification.conftest import rect  # noqa: F401


def form_data(response) -> dict:
    """What the browser would send back for the form as the page rendered it."""
    data = {}
    for field in response.context["form"]:
        value = field.value()
        if value is None:
            continue
        data[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def _two_people(user, url: str):
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    return first, form_data(first.get(url)), second, form_data(second.get(url))


@pytest.fixture
def draft(rect):  # noqa: F811
    """The county's plan opened again as a draft, so its heading and items can be edited."""
    services.plan_revise(plan=rect.rect.plan, reason="调整期限", user=rect.staff, expected_version=rect.rect.plan.version)
    rect.editor = rect.staff
    return rect


@pytest.fixture
def test_day(lworld):  # noqa: F811
    """School A on its test day: the coordinator records the session's times and monitors."""
    lworld.round.stage = Stage.TESTING
    lworld.round.save()
    lworld.editor = lworld.coord_a
    return lworld


def _session_url(w):
    return reverse("session_attendance", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk, "session_pk": w.session.pk})


# (world fixture, edit page, field both people change, what the database holds)
RECORDS = {
    "plan-heading": (
        "draft",
        lambda w: reverse("plan_edit", kwargs={"round_pk": w.round.pk}),
        "title",
        lambda w: Plan.objects.get(pk=w.rect.plan.pk).title,
    ),
    "plan-item": (
        "draft",
        lambda w: reverse("item_edit", kwargs={"pk": w.rect.item.pk}),
        "goal",
        lambda w: PlanItem.objects.get(pk=w.rect.item.pk).goal,
    ),
    "test-session": ("test_day", _session_url, "monitors", lambda w: SessionRecord.objects.get(session=w.session).monitors),
}


@pytest.mark.parametrize("record", sorted(RECORDS))
def test_the_second_save_is_refused_with_who_and_when_and_the_first_is_kept(request, record):
    fixture, url, field, stored = RECORDS[record]
    w = request.getfixturevalue(fixture)
    first, first_form, second, second_form = _two_people(w.editor, url(w))
    assert field in first_form and first_form["version"] == second_form["version"]

    first_form[field] = "第一人的修改"
    assert first.post(url(w), first_form).status_code == 302
    second_form[field] = "第二人的修改"
    refused = second.post(url(w), second_form)

    assert refused.status_code == 409
    body = refused.content.decode()
    assert "在您打开之后" in body and (w.editor.get_full_name() or w.editor.username) in body
    assert stored(w) == "第一人的修改"


def test_two_reviewers_decide_on_one_checklist_the_second_is_told_and_the_first_decision_stands(lworld):  # noqa: F811
    from logistics.models import ChecklistStatus
    from tests.logistics.test_checklist import _complete, _preparation

    w = lworld
    _preparation(w)
    _complete(w, w.checklist_a)
    _submit(w)
    url = reverse("checklist_review", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk})
    staff = Client()
    staff.force_login(w.staff)
    staff_form = form_data(staff.get(url))
    inspector = Client()
    inspector.force_login(w.inspector)
    inspector_form = form_data(inspector.get(url))

    assert staff.post(url, {**staff_form, "action": "approve", "note": "合格"}).status_code == 302
    refused = inspector.post(url, {**inspector_form, "action": "return", "note": "请补拍照片", f"comment-{w.item.pk}": "补拍"})

    assert refused.status_code == 409
    assert "在您打开之后" in refused.content.decode()
    w.checklist_a.refresh_from_db()
    assert w.checklist_a.status == ChecklistStatus.APPROVED


def _submit(w):
    from logistics.services import checklist_submit

    w.checklist_a.refresh_from_db()
    checklist_submit(checklist=w.checklist_a, expected_version=w.checklist_a.version, user=w.coord_a)
