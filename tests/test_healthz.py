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


def test_a_signed_in_request_reads_the_session_and_the_user_with_its_role_and_writes_nothing(client, world, django_assert_num_queries):
    """What every signed-in page pays: the session row, then the user with its Person and county
    in one query; the session is not written again within a minute of its last write."""
    client.force_login(world.users()["staff"])
    client.get(reverse("healthz"))
    with django_assert_num_queries(2):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    person = response.wsgi_request.user.person
    with django_assert_num_queries(0):
        assert person.county.name
