"""Accounts and roles, and the audit log of personal-data access."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import county_filtered, get_visible_or_404, require_perm, required_person

from ..forms import PersonForm
from ..models import AuditEvent, Person
from ..services import person_create, person_reset_password, person_update


def _people(user):
    return county_filtered(user, Person.objects.select_related("user", "department").prefetch_related("schools"))


@require_perm("rounds.view_people")
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    people = _people(request.user).order_by("role", "user__username")
    role = request.GET.get("role", "")
    if role:
        people = people.filter(role=role)
    return render(
        request, "rounds/person_list.html", {"people": people, "roles": Person._meta.get_field("role").choices, "selected_role": role}
    )


@require_perm("rounds.manage_people")
def person_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    county = required_person(request.user).county
    form = PersonForm(request.POST or None, county=county)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person, password = person_create(
            county=county,
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            role=data["role"],
            schools=data["schools"],
            department=data["department"],
            phone=data["phone"],
            by=request.user,
        )
        return render(request, "rounds/person_password.html", {"account": person, "password": password, "created": True})
    return render(request, "rounds/person_form.html", {"form": form})


@require_perm("rounds.manage_people")
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(_people(request.user), pk=pk)
    initial = {
        "username": person.user.username,
        "full_name": person.user.first_name,
        "email": person.user.email,
        "phone": person.phone,
        "role": person.role,
        "schools": list(person.schools.all()),
        "department": person.department,
        "is_active": person.user.is_active,
    }
    form = PersonForm(request.POST or None, county=person.county, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if person.user_id == request.user.pk and (not data["is_active"] or data["role"] != person.role):
            messages.error(request, _("You cannot change your own role or deactivate yourself."))
            return render(request, "rounds/person_form.html", {"form": form, "account": person})
        person_update(
            person=person,
            full_name=data["full_name"],
            email=data["email"],
            role=data["role"],
            schools=data["schools"],
            department=data["department"],
            phone=data["phone"],
            is_active=data["is_active"],
            by=request.user,
        )
        messages.success(request, _("Account saved."))
        return redirect("person_list")
    return render(request, "rounds/person_form.html", {"form": form, "account": person})


@require_POST
@require_perm("rounds.manage_people")
def person_reset_password_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(_people(request.user), pk=pk)
    password = person_reset_password(person=person, by=request.user)
    return render(request, "rounds/person_password.html", {"account": person, "password": password, "created": False})


@require_perm("rounds.view_audit")
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    county_id = required_person(request.user).county_id
    assert county_id is not None, "the log is for county readers"
    events = AuditEvent.objects.select_related("user").filter(user__person__county_id=county_id)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "rounds/audit_list.html", {"page": page})
