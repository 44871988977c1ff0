from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from monitoring_site.roles import Role
from rounds.models import Department, Person

from .evidence import MAX_FILES, check_evidence_file
from .models import IndicatorReading, Plan, PlanItem, Problem, Progress


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Crispy:
    def _helper(self):
        self.helper = FormHelper()
        self.helper.form_tag = False


class ProblemForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["title", "source", "source_reference", "description", "evidence_text"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [c for c in Problem.Source.choices if c[0] != Problem.Source.FINDING]
        self._helper()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("rectification", "Reason"), max_length=200)


class PlanForm(_Crispy, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Plan
        fields = [
            "title",
            "guiding_principle",
            "leadership_group",
            "work_requirements",
            "due_soon_days",
            "escalate_after_days",
        ]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in ("guiding_principle", "leadership_group", "work_requirements")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        self._helper()


class MilestonesField(forms.CharField):
    """One milestone a line: ``2027-09-30 完成调研``."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        text = super().to_python(value) or ""
        milestones = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            date_text, _sep, title = line.partition(" ")
            try:
                day = dt.date.fromisoformat(date_text)
            except ValueError:
                raise forms.ValidationError(_("Line %(n)s: start with a date like 2027-09-30, then what is due.") % {"n": number}) from None
            milestones.append({"date": day.isoformat(), "title": title.strip()})
        return sorted(milestones, key=lambda m: m["date"])

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{m['date']} {m['title']}" for m in value)
        return value


class PlanItemForm(_Crispy, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    milestones = MilestonesField(
        label=_("Milestones"),
        required=False,
        help_text=_("One a line: a date (2027-09-30), a space, then what is due."),
    )

    class Meta:
        model = PlanItem
        fields = [
            "problem",
            "goal",
            "indicator",
            "target_direction",
            "target_value",
            "target_by",
            "measures",
            "lead_department",
            "cooperating_departments",
            "responsible",
            "deadline",
            "milestones",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 5}),
            "deadline": _date_input(),
            "target_by": _date_input(),
            "cooperating_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, rnd, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        departments = Department.objects.filter(county=rnd.county, is_active=True).order_by("name")
        self.fields["problem"].queryset = Problem.objects.filter(round=rnd, withdrawn_at__isnull=True)
        self.fields["lead_department"].queryset = departments
        self.fields["cooperating_departments"].queryset = departments
        self.fields["cooperating_departments"].required = False
        self.fields["responsible"].queryset = Person.objects.filter(
            county=rnd.county, role__in=[Role.DEPARTMENT, Role.COUNTY_STAFF, Role.LEADER]
        ).select_related("user", "department")
        self._helper()

    def clean(self):
        data = super().clean()
        has_target = data.get("target_value") is not None or data.get("target_direction")
        if has_target and not data.get("indicator"):
            self.add_error("indicator", _("Name the indicator the target measures."))
        if data.get("target_value") is not None and not data.get("target_direction"):
            self.add_error("target_direction", _("Say whether the value is a floor or a ceiling."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(n)s files per report.") % {"n": MAX_FILES})
        for upload in files:
            check_evidence_file(upload)
        return list(files)


class ProgressForm(_Crispy, forms.ModelForm):
    files = EvidenceField(  # type: ignore[assignment]  # a declared field leaves the class: form.files stays the uploads
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, JPG, PNG, Word or Excel; at most 5 files."),
    )

    class Meta:
        model = Progress
        fields = ["text", "percent", "marks_done"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "percent": forms.NumberInput(attrs={"min": 0, "max": 100}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        # The page's <form> carries the visitor's token; without crispy's own copy the empty
        # form's fields read the same for everyone and are rendered once per language.
        self.helper.disable_csrf = True

    def clean_percent(self):
        percent = self.cleaned_data["percent"]
        if not 0 <= percent <= 100:
            raise forms.ValidationError(_("Between 0 and 100."))
        return percent


class IndicatorReadingForm(_Crispy, forms.ModelForm):
    class Meta:
        model = IndicatorReading
        fields = ["indicator", "value", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
