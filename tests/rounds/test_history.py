"""Every change to the registry, a round or a person's role is kept: who, when, what."""

from django.urls import reverse

from rounds.models import Person, School


def _school_form(school, **changes):
    data = {
        "code": school.code,
        "name": school.name,
        "school_type": school.school_type,
        "location": school.location,
        "address": "",
        "principal": "",
        "contact_person": "",
        "contact_phone": "",
        "student_count": "",
        "is_active": "on",
        "version": school.version,
    }
    data.update(changes)
    return data


def test_editing_a_school_records_who_changed_what(client, world):
    client.force_login(world.staff)
    school = world.school_a
    response = client.post(reverse("school_edit", args=[school.pk]), _school_form(school, principal="周校长"))
    assert response.status_code == 302
    latest = School.objects.get(pk=school.pk).history.first()
    assert latest.history_user == world.staff and latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "principal"] == [("principal", "", "周校长")]
    page = client.get(reverse("school_detail", args=[school.pk])).content.decode()
    assert world.staff.first_name in page


def test_two_people_editing_a_school_the_second_is_told(client, world):
    client.force_login(world.staff)
    school = world.school_a
    stale = _school_form(school, principal="甲")
    assert client.post(reverse("school_edit", args=[school.pk]), _school_form(school, principal="乙")).status_code == 302
    response = client.post(reverse("school_edit", args=[school.pk]), stale)
    assert response.status_code == 409
    assert School.objects.get(pk=school.pk).principal == "乙"


def test_a_change_of_role_or_scope_is_recorded(client, world):
    client.force_login(world.staff)
    person = world.coord_a.person
    response = client.post(
        reverse("person_edit", args=[person.pk]),
        {
            "username": "coord_a",
            "full_name": "联络员甲",
            "role": "coordinator",
            "schools": [world.school_b.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    records = Person.objects.get(pk=person.pk).history.all()
    assert records.first().history_user == world.staff
    assert list(Person.objects.get(pk=person.pk).schools.all()) == [world.school_b]
    # The coordinator's scope follows at once: school A is no longer theirs.
    client.force_login(world.coord_a)
    assert world.school_a.name not in client.get(reverse("home")).content.decode()


def test_round_changes_keep_their_history(client, world):
    client.force_login(world.staff)
    rnd = world.round
    client.post(reverse("round_advance", args=[rnd.pk]), {"version": rnd.version})
    history = rnd.history.order_by("history_date")
    assert [h.stage for h in history] == ["setup", "sampling"]
    assert history.last().history_user == world.staff
