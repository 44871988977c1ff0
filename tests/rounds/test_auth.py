"""Logging in: Chinese by default, lockout with a cool-off, idle expiry, forced password change."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from rounds.models import Person
from tests.factories import PASSWORD


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_login_page_is_in_chinese_by_default(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "用户名" in body and "密码" in body and "登录" in body


def test_english_is_available(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("login")).content.decode()
    assert "Username" in body and "Log in" in body


def test_a_good_password_logs_in_and_lands_on_the_tasks(client, world):
    response = _login(client, "staff", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_repeated_failures_lock_that_username_from_that_address(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "staff", "wrong-password")
    locked = _login(client, "staff", PASSWORD)
    assert locked.status_code == 429
    assert "稍后" in locked.content.decode() or "分钟" in locked.content.decode()
    # Another address is not locked out by someone else's guessing.
    assert _login(client, "staff", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lockout_lifts_after_the_cool_off(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "staff", "wrong-password")
    assert _login(client, "staff", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert _login(client, "staff", PASSWORD).status_code == 302


def test_idle_sessions_end_after_thirty_minutes_and_activity_renews_them(client, world):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    from django.contrib.sessions.models import Session

    client.force_login(world.staff)
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    client.get(reverse("home"))
    # The request renewed the server-side expiry to thirty minutes from now.
    remaining = Session.objects.get().expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)
    # A session past its expiry is gone: the next request is sent to the login page.

    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_unchanged_session_is_written_again_only_when_its_expiry_is_a_minute_old(client, world):
    from django.contrib.sessions.models import Session

    client.force_login(world.staff)
    # Written 30 s ago: the expiry stays (a session still ends 29–30 minutes after the last request).
    written = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)
    Session.objects.update(expire_date=written)
    client.get(reverse("healthz"))
    assert Session.objects.get().expire_date == written
    # Written 61 s ago: renewed.
    Session.objects.update(expire_date=written - dt.timedelta(seconds=31))
    client.get(reverse("healthz"))
    assert Session.objects.get().expire_date > written
    # A changed session (here a message stored in it) is written at once, however fresh its expiry.
    Session.objects.update(expire_date=written)
    Person.objects.filter(user=world.staff).update(must_change_password=True)
    client.get(reverse("home"))
    assert Session.objects.get().expire_date > written


def test_an_issued_password_must_be_changed_at_first_login(client, world):
    client.force_login(world.staff)
    response = client.post(
        reverse("person_create"),
        {
            "username": "newcoord",
            "full_name": "新联络员",
            "email": "",
            "phone": "",
            "role": "coordinator",
            "schools": [world.school_a.pk],
        },
    )
    issued = response.context["password"]
    client.logout()
    assert _login(client, "newcoord", issued).status_code == 302
    forced = client.get(reverse("school_list"))
    assert forced["Location"] == reverse("password_change")
    # A weak new password is refused by the validators.
    weak = client.post(reverse("password_change"), {"old_password": issued, "new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and weak.context["form"].errors
    ok = client.post(
        reverse("password_change"), {"old_password": issued, "new_password1": "Qingshan-2027!", "new_password2": "Qingshan-2027!"}
    )
    assert ok.status_code == 302
    assert Person.objects.get(user__username="newcoord").must_change_password is False
    assert client.get(reverse("home")).status_code == 200


def test_a_new_account_records_who_created_it(client, world):
    client.force_login(world.staff)
    client.post(reverse("person_create"), {"username": "insp2", "full_name": "督学二", "role": "inspector", "schools": [world.school_b.pk]})
    person = Person.objects.get(user__username="insp2")
    assert list(person.schools.all()) == [world.school_b]
    assert person.history.first().history_user == world.staff


@pytest.mark.parametrize(("role", "field"), [("coordinator", "schools"), ("department", "department")])
def test_a_scoped_role_needs_its_scope(client, world, role, field):
    client.force_login(world.staff)
    response = client.post(reverse("person_create"), {"username": "x_" + role, "full_name": "某人", "role": role})
    assert field in response.context["form"].errors


def test_staff_cannot_give_a_school_of_another_county(client, world):
    client.force_login(world.staff)
    response = client.post(
        reverse("person_create"), {"username": "sneaky", "full_name": "某人", "role": "coordinator", "schools": [world.foreign_school.pk]}
    )
    assert "schools" in response.context["form"].errors
