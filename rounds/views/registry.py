"""The school registry, departments and the county record."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.audit import history_user
from monitoring_site.concurrency import StaleEdit
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import county_filtered, get_visible_or_404, require_perm, required_person, schools_visible_to
from monitoring_site.views import import_status

from ..forms import CountyForm, DepartmentForm, SchoolForm, SchoolImportForm
from ..imports import SCHOOL_IMPORT_KIND, school_template_bytes
from ..models import Department, ImportBatch, Location, SchoolType
from ..services import county_update, import_batch_cancel, school_import_confirm, school_import_start, school_save

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_perm("rounds.view_registry")
def school_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    schools = schools_visible_to(request.user).order_by("code")
    q = request.GET.get("q", "").strip()
    if q:
        schools = schools.filter(Q(name__icontains=q) | Q(code__startswith=q))
    for field in ("school_type", "location"):
        value = request.GET.get(field)
        if value:
            schools = schools.filter(**{field: value})
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "rounds/school_list.html",
        {
            "page": page,
            "q": q,
            "school_types": SchoolType.choices,
            "locations": Location.choices,
            "selected_type": request.GET.get("school_type", ""),
            "selected_location": request.GET.get("location", ""),
            "total": page.paginator.count,
        },
    )


@require_perm("rounds.view_registry")
def school_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = get_visible_or_404(schools_visible_to(request.user), pk=pk)
    history = school.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "rounds/school_detail.html", {"school": school, "history": history})


def _save_school_form(request: AuthenticatedHttpRequest, form, template, context) -> HttpResponse:
    if form.is_valid():
        school = form.save(commit=False)
        try:
            school_save(school=school, user=request.user, expected_version=form.cleaned_data.get("version"))
        except StaleEdit as exc:
            messages.error(request, exc.message)
            return render(request, template, {**context, "form": form}, status=409)
        messages.success(request, _("School “%(name)s” saved.") % {"name": school.name})
        return redirect("school_detail", pk=school.pk)
    return render(request, template, {**context, "form": form})


@require_perm("rounds.manage_registry")
def school_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SchoolForm(request.POST or None)
    form.instance.county = required_person(request.user).county
    if request.method == "POST":
        return _save_school_form(request, form, "rounds/school_form.html", {})
    return render(request, "rounds/school_form.html", {"form": form})


@require_perm("rounds.manage_registry")
def school_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = get_visible_or_404(schools_visible_to(request.user), pk=pk)
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST":
        return _save_school_form(request, form, "rounds/school_form.html", {"school": school})
    return render(request, "rounds/school_form.html", {"form": form, "school": school})


@require_perm("rounds.manage_registry")
def school_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = HttpResponse(school_template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''school-template.xlsx"
    return response


@require_perm("rounds.manage_registry")
def school_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SchoolImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = school_import_start(
            county=required_person(request.user).county, upload=form.cleaned_data["file"], user=request.user, language=get_language()
        )
        return redirect("import_detail", pk=batch.pk)
    batches = county_filtered(request.user, ImportBatch.objects.filter(kind="schools")).select_related("uploaded_by")[:10]
    return render(request, "rounds/school_import.html", {"form": form, "batches": batches})


@require_perm("rounds.manage_registry")
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(county_filtered(request.user, ImportBatch.objects.all()), pk=pk)
    links = [(reverse("school_import"), _("Upload another file")), (reverse("school_list"), _("Back to the registry"))]
    decide: dict[str, Any] = {}
    if batch.kind == SCHOOL_IMPORT_KIND:
        decide = {"confirm_url": reverse("import_confirm", args=[pk]), "cancel_url": reverse("import_cancel", args=[pk])}
    return import_status(request, batch=batch, heading=_("Import"), links=links, difference=batch.difference, **decide)


def _registry_import(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return get_visible_or_404(county_filtered(request.user, ImportBatch.objects.filter(kind=SCHOOL_IMPORT_KIND)), pk=pk)


@require_POST
@require_perm("rounds.manage_registry")
def import_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school_import_confirm(batch=_registry_import(request, pk), user=request.user, language=get_language())
    return redirect("import_detail", pk=pk)


@require_POST
@require_perm("rounds.manage_registry")
def import_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    import_batch_cancel(batch=_registry_import(request, pk), user=request.user)
    messages.info(request, _("The import was cancelled; the registry is as it was."))
    return redirect("import_detail", pk=pk)


@require_perm("rounds.view_registry")
def department_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    departments = county_filtered(request.user, Department.objects.all()).order_by("name")
    form = DepartmentForm(county=required_person(request.user).county)
    return render(request, "rounds/department_list.html", {"departments": departments, "form": form})


@require_POST
@require_perm("rounds.manage_registry")
def department_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DepartmentForm(request.POST, county=required_person(request.user).county)
    if form.is_valid():
        history_user(form.instance, request.user)
        form.save()
        messages.success(request, _("Department “%(name)s” added.") % {"name": form.instance.name})
        return redirect("department_list")
    departments = county_filtered(request.user, Department.objects.all()).order_by("name")
    return render(request, "rounds/department_list.html", {"departments": departments, "form": form})


@require_perm("rounds.manage_registry")
def department_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    department = get_visible_or_404(county_filtered(request.user, Department.objects.all()), pk=pk)
    form = DepartmentForm(request.POST or None, instance=department, county=department.county)
    if request.method == "POST" and form.is_valid():
        history_user(form.instance, request.user)
        form.save()
        messages.success(request, _("Department “%(name)s” saved.") % {"name": department.name})
        return redirect("department_list")
    return render(request, "rounds/department_form.html", {"form": form, "department": department})


@require_perm("rounds.manage_registry")
def county_edit(request):
    """The county's own record: its name and the reporting hotline on every notice board (its
    province and city are shown; the administrator sets them)."""
    county = required_person(request.user).county
    if county is None:  # a region's office keeps no county record
        raise PermissionDenied
    form = CountyForm(request.POST or None, instance=county)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        county_update(county=county, name=data["name"], hotline=data["hotline"], user=request.user)
        messages.success(request, _("County record saved."))
        return redirect("county_edit")
    return render(request, "rounds/county_form.html", {"form": form, "county": county})
