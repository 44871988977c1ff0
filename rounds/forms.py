from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from monitoring_site.roles import SCHOOL_SCOPED_ROLES, Role

from .models import County, Department, Domain, Milestone, Round, School, TestSession


class VersionedForm(forms.ModelForm):
    """Carries the version the record had when the form was opened (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        if self.instance.pk:
            self.fields["version"].required = True  # an edit without it cannot be checked (was a 500)
        self.helper = FormHelper()
        self.helper.form_tag = False


class SchoolForm(VersionedForm):
    class Meta:
        model = School
        fields = [
            "code",
            "name",
            "school_type",
            "location",
            "address",
            "principal",
            "contact_person",
            "contact_phone",
            "student_count",
            "is_active",
        ]


class CountyForm(forms.ModelForm):
    class Meta:
        model = County
        fields = ["name", "hotline"]  # the city it belongs to decides which offices read it: set in the admin

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "leader_name", "phone", "is_active"]

    def __init__(self, *args, county, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.county = county
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_name(self):
        name = self.cleaned_data["name"]
        clash = Department.objects.filter(county=self.instance.county, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A department with this name already exists."))
        return name


class SchoolImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"), help_text=_("Made from the template; one school per row."))


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(VersionedForm):
    domains = forms.MultipleChoiceField(label=_("Domains"), choices=Domain.choices, widget=forms.CheckboxSelectMultiple)
    grades = forms.TypedMultipleChoiceField(
        label=_("Grades"), choices=[(4, _("Grade 4")), (8, _("Grade 8"))], coerce=int, widget=forms.CheckboxSelectMultiple, initial=[4, 8]
    )

    class Meta:
        model = Round
        fields = ["year", "cycle_year", "domains", "grades", "test_start", "test_end", "closes_at"]
        widgets = {
            "test_start": _date_input(),
            "test_end": _date_input(),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county
        self.fields["cycle_year"].widget.attrs.update(
            {
                "hx-get": "",
                "hx-target": "#id_domains_wrap",
                "hx-select": "#id_domains_wrap",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("test_start"), data.get("test_end")
        if start and end:
            if end < start:
                self.add_error("test_end", _("The last test day cannot be before the first."))
            elif (end - start).days > 1:
                self.add_error("test_end", _("The tests take one and a half days: the last test day is the first day or the day after."))
        domains = data.get("domains") or []
        if len(domains) != 3:
            self.add_error("domains", _("A round monitors three domains."))
        year = data.get("year")
        if year and self.county is not None:
            clash = Round.objects.filter(county=self.county, year=year).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("year", _("This county already has a round in %(year)s.") % {"year": year})
        return data

    @property
    def late_may_warning(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        start, end = data.get("test_start"), data.get("test_end")
        return bool(start and end) and not all(d.month == 5 and d.day >= 21 for d in (start, end) if d)


class TestSessionForm(forms.ModelForm):
    class Meta:
        model = TestSession
        fields = ["grade", "day", "start", "end", "kind", "domain", "title"]
        widgets = {
            "day": _date_input(),
            "start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        data = super().clean()
        rnd: Round = self.instance.round
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and not (rnd.test_start <= day <= rnd.test_end):
            self.add_error("day", _("Sessions are held on the round's test days."))
        if start and end and end <= start:
            self.add_error("end", _("A session ends after it starts."))
        return data


TimetableFormSet = inlineformset_factory(Round, TestSession, form=TestSessionForm, extra=1, can_delete=True)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["due_date", "done_on", "note"]
        widgets = {"due_date": _date_input(), "done_on": _date_input()}


MilestoneFormSet = inlineformset_factory(Round, Milestone, form=MilestoneForm, extra=0, can_delete=False)


class PersonForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"), regex=r"^[A-Za-z0-9_.-]{3,30}$", max_length=30, help_text=_("3–30 letters, digits, dot, dash or underscore.")
    )
    full_name = forms.CharField(label=_("Full name"), max_length=30)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"), queryset=School.objects.none(), required=False, help_text=_("For coordinators, inspectors and monitors.")
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, help_text=_("For department users.")
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, county, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = School.objects.filter(county=county, is_active=True).order_by("name")
        self.fields["schools"].widget.attrs["size"] = 10
        self.fields["department"].queryset = Department.objects.filter(county=county, is_active=True)
        if editing:
            self.fields["username"].disabled = True
        else:
            del self.fields["is_active"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_username(self):
        from django.contrib.auth import get_user_model

        name = self.cleaned_data["username"]
        if not self.fields["username"].disabled and get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("This username is taken."))
        return name

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in SCHOOL_SCOPED_ROLES and not data.get("schools"):
            self.add_error("schools", _("Choose at least one school for this role."))
        if role == Role.DEPARTMENT and not data.get("department"):
            self.add_error("department", _("Choose the department of this user."))
        if role not in SCHOOL_SCOPED_ROLES:
            data["schools"] = []
        if role != Role.DEPARTMENT:
            data["department"] = None
        return data


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
