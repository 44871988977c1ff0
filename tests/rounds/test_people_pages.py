"""The account pages name the account they are about, never the signed-in user."""

from django.urls import reverse


def test_the_new_account_page_is_titled_new_and_offers_no_password_reset(client, world):
    client.force_login(world.staff)
    html = client.get(reverse("person_create")).content.decode()
    assert "新建账号" in html
    assert "编辑账号" not in html
    assert reverse("person_reset_password", args=[world.staff.person.pk]) not in html
    assert "发放新密码" not in html


def test_the_edit_page_names_the_edited_account_and_resets_its_password(client, world):
    client.force_login(world.staff)
    coordinator = world.coord_a.person
    html = client.get(reverse("person_edit", args=[coordinator.pk])).content.decode()
    assert f"编辑账号: {coordinator}" in html
    assert reverse("person_reset_password", args=[coordinator.pk]) in html
    assert reverse("person_reset_password", args=[world.staff.person.pk]) not in html
    # The header's role badge stays the signed-in user's (county staff), not the coordinator's.
    assert "学校联络员</span>" not in html


def test_the_issued_password_page_names_the_new_account(client, world):
    client.force_login(world.staff)
    html = client.post(
        reverse("person_create"), {"username": "newinsp", "full_name": "新督学", "role": "inspector", "schools": [world.school_a.pk]}
    ).content.decode()
    assert "新督学" in html and "newinsp" in html
