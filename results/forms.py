from __future__ import annotations

from typing import cast

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from rounds.models import Domain

from .models import (
    BmiNormRow,
    CutScores,
    DiagnosisRule,
    Finding,
    Norm,
    ReferenceValue,
    ResultImport,
    WeeklyLessonNorm,
)


def reference_clashes(references, data: dict, pk: int | None) -> bool:
    """Another of ``references`` (a round's, or a region's published ones) already holds this
    source, year, domain, grade and indicator."""
    keys = {k: data.get(k) for k in ("source", "year", "grade", "indicator")}
    return references.filter(domain=data.get("domain") or "", **keys).exclude(pk=pk).exists()


class _Crispy:
    def _helper(self) -> None:
        self.helper = FormHelper()
        self.helper.form_tag = False


class ResultImportForm(_Crispy, forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ResultImport.Kind.choices)
    domain = forms.ChoiceField(label=_("Domain"), required=False, choices=[("", "—")])
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_("Made from the template; one student per row, by monitoring ID."),
    )

    def __init__(self, *args, domains: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Domain.choices)
        cast(forms.ChoiceField, self.fields["domain"]).choices = [(d, labels[d]) for d in domains]
        self._helper()

    def clean(self):
        data = super().clean()
        if data.get("kind") == ResultImport.Kind.SCORES and not data.get("domain"):
            self.add_error("domain", _("Choose the domain of the scores."))
        return data


class SecondWorkbookForm(_Crispy, forms.Form):
    file = forms.FileField(
        label=_("The filled-in second-entry workbook (.xlsx)"),
        help_text=_("Downloaded below and typed from the paper sheets; nothing is kept unless every row is correct."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class _SmallWidgets:
    """Compact Bootstrap widgets for the rows of an editable table."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"


class CutScoresForm(_SmallWidgets, forms.ModelForm):
    class Meta:
        model = CutScores
        fields = ["min_score", "low_mark", "level2", "level3", "level4", "max_score"]

    def clean(self):
        data = super().clean()
        order = [data.get(f) for f in self.Meta.fields]
        if None not in order and not (order[0] <= order[1] <= order[2] < order[3] < order[4] <= order[5]):
            raise forms.ValidationError(_("The marks must increase: lowest ≤ low mark ≤ Ⅱ < Ⅲ < Ⅳ ≤ highest."))
        return data


class _RowForm(_SmallWidgets, forms.ModelForm):
    pass


class BmiRowForm(_RowForm):
    class Meta:
        model = BmiNormRow
        fields = ["grade", "sex", "low_max", "overweight_min", "obese_min"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = [("", "—"), ("M", _("Male")), ("F", _("Female"))]


CutScoresFormSet = modelformset_factory(CutScores, form=CutScoresForm, extra=0)
NormFormSet = modelformset_factory(Norm, form=_RowForm, fields=["value"], extra=0)
LessonFormSet = modelformset_factory(WeeklyLessonNorm, form=_RowForm, fields=["lessons"], extra=0)
BmiFormSet = modelformset_factory(BmiNormRow, form=BmiRowForm, extra=1)
RuleFormSet = modelformset_factory(
    DiagnosisRule,
    form=_RowForm,
    fields=["enabled", "threshold", "level", "level_reason"],
    widgets={"level_reason": forms.TextInput(attrs={"placeholder": _("why a laxer level")})},
    extra=0,
)


class ReferenceValueForm(_Crispy, forms.ModelForm):
    class Meta:
        model = ReferenceValue
        fields = ["source", "year", "domain", "grade", "indicator", "value", "se", "note"]
        help_texts = {
            "value": _("Shares and rates as fractions, e.g. 0.25 for a quarter."),
            "domain": _("For BMI and vision rates choose PE and health."),
            "note": _("The document the value is taken from, e.g. the province's 2026 monitoring report."),
        }

    def __init__(self, *args, rnd, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.county, self.instance.round = rnd.county, rnd
        self.fields["note"].required = True
        self._helper()

    def clean(self):
        data = super().clean()
        if reference_clashes(ReferenceValue.objects.filter(round=self.instance.round), data, self.instance.pk):
            raise forms.ValidationError(_("This reference value is already recorded; delete it first to change it."))
        return data


class FindingForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["title", "domain", "grade", "evidence_text"]
        widgets = {
            "evidence_text": forms.Textarea(attrs={"rows": 4}),
            "grade": forms.Select(choices=[("", "—"), (4, _("Grade 4")), (8, _("Grade 8"))]),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class DismissForm(_Crispy, forms.Form):
    reason = forms.CharField(label=_("Reason for dismissal"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
