"""Two people save the same record: the second is told who changed it and when, nothing is lost
(issue 9 §5).

Both open the edit page, so both forms carry the same version; the first saves, the second's
save is refused with HTTP 409 and the "who, when" message, and the first one's text is what
the database holds. The rows below are the versioned forms whose apps do not test this through
the page already (school edit: tests/rounds/test_history.py; round edit:
tests/rounds/test_round_setup.py; checklist answers: tests/logistics/test_checklist.py).
"""

import pytest
from django.test import Client
from django.urls import reverse

from rectification import services
from rectification.models import PlanItem
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
    return rect


@pytest.mark.parametrize(
    ("url", "field", "stored"),
    [
        (
            lambda w: reverse("plan_edit", kwargs={"round_pk": w.round.pk}),
            "title",
            lambda w: type(w.rect.plan).objects.get(pk=w.rect.plan.pk).title,
        ),
        (
            lambda w: reverse("item_edit", kwargs={"pk": w.rect.item.pk}),
            "goal",
            lambda w: PlanItem.objects.get(pk=w.rect.item.pk).goal,
        ),
    ],
    ids=["plan-heading", "plan-item"],
)
def test_the_second_save_is_refused_with_who_and_when_and_the_first_is_kept(draft, url, field, stored):
    first, first_form, second, second_form = _two_people(draft.staff, url(draft))
    assert field in first_form and first_form["version"] == second_form["version"]

    first_form[field] = "第一人的修改"
    assert first.post(url(draft), first_form).status_code == 302
    second_form[field] = "第二人的修改"
    refused = second.post(url(draft), second_form)

    assert refused.status_code == 409
    body = refused.content.decode()
    assert "在您打开之后" in body and (draft.staff.get_full_name() or draft.staff.username) in body
    assert stored(draft) == "第一人的修改"
