"""The plan page offers only what the services allow now: the page and its POST ask one predicate."""

from rectification import services
from rectification.models import Plan
from rounds.models import Stage


def _plan_page(client, world):
    return client.get(f"/rectification/rounds/{world.round.pk}/plan/").content.decode()


def test_an_approved_plan_offers_a_new_version_and_no_item_changes(client, rect):
    client.force_login(rect.staff)
    body = _plan_page(client, rect)
    assert f"/rectification/rounds/{rect.round.pk}/plan/revise/" in body
    assert f"/rectification/items/{rect.rect.item.pk}/edit/" not in body
    assert f"/rectification/rounds/{rect.round.pk}/items/new/" not in body
    assert 'id="plan-refusal"' not in body


def test_a_draft_offers_its_changes_and_the_post_agrees(client, rect):
    plan = rect.rect.plan
    services.plan_revise(plan=plan, reason="调整期限", user=rect.staff, expected_version=plan.version)
    client.force_login(rect.staff)
    body = _plan_page(client, rect)
    assert f"/rectification/items/{rect.rect.item.pk}/edit/" in body
    assert f"/rectification/rounds/{rect.round.pk}/items/new/" in body
    assert f"/rectification/rounds/{rect.round.pk}/plan/revise/" not in body
    assert client.get(f"/rectification/items/{rect.rect.item.pk}/edit/").status_code == 200


def test_outside_its_stages_the_plan_shows_the_reason_and_no_control(client, rect):
    plan = rect.rect.plan
    services.plan_revise(plan=plan, reason="调整期限", user=rect.staff, expected_version=plan.version)
    rect.round.stage = Stage.CLOSED
    rect.round.save(update_fields=["stage"])
    client.force_login(rect.staff)
    body = _plan_page(client, rect)
    assert 'id="plan-refusal"' in body and "只能在" in body
    for url in (
        f"/rectification/items/{rect.rect.item.pk}/edit/",
        f"/rectification/rounds/{rect.round.pk}/items/new/",
        f"/rectification/rounds/{rect.round.pk}/plan/revise/",
        f"/rectification/rounds/{rect.round.pk}/plan/approve/",
        f"/rectification/rounds/{rect.round.pk}/plan/edit/",
    ):
        assert url not in body
    response = client.get(f"/rectification/items/{rect.rect.item.pk}/edit/", follow=True)
    assert "只能在" in response.content.decode()
    problems = client.get(f"/rectification/rounds/{rect.round.pk}/problems/").content.decode()
    assert 'id="problem-refusal"' in problems and f"/rectification/rounds/{rect.round.pk}/problems/new/" not in problems
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_an_approved_plan_offers_withdrawal_only_of_problems_without_items_and_the_post_agrees(client, rect):
    from rectification.models import Problem

    lone = services.problem_create(rnd=rect.round, title="课后服务覆盖不足", source=Problem.Source.FEEDBACK_LETTER, user=rect.staff)
    client.force_login(rect.staff)
    body = client.get(f"/rectification/rounds/{rect.round.pk}/problems/").content.decode()
    assert f"/rectification/problems/{lone.pk}/withdraw/" in body
    assert f"/rectification/problems/{rect.rect.problem.pk}/withdraw/" not in body  # its items are in the approved plan
    client.post(f"/rectification/problems/{rect.rect.problem.pk}/withdraw/", {"reason": "重复"})
    assert Problem.objects.get(pk=rect.rect.problem.pk).withdrawn_at is None
    client.post(f"/rectification/problems/{lone.pk}/withdraw/", {"reason": "重复"})
    assert Problem.objects.get(pk=lone.pk).withdrawn_at is not None
