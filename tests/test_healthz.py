"""The bare health page: answers through every middleware without touching the database."""

from django.urls import reverse


def test_healthz_answers_without_a_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert b"<p>ok</p>" in response.content
    assert "Content-Security-Policy" in response  # the same middleware as every page


def test_healthz_answers_a_signed_in_user_too(client, world):
    client.force_login(world.users()["staff"])
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and b"ok" in response.content
