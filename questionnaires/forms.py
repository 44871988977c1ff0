from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=_("Access code"),
        max_length=30,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control form-control-lg code-input",
                "placeholder": "XXXXX-XXXXX",
            }
        ),
    )


class DefinitionUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Questionnaire"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    file = forms.FileField(label=_("Definition (.xlsx)"))


class CodeSettingsForm(forms.Form):
    teachers_per_school = forms.IntegerField(label=_("Teacher codes per sampled school"), min_value=0, max_value=200, initial=15)
    county_codes = forms.IntegerField(label=_("County administrator codes"), min_value=0, max_value=50, initial=3)


class PaperImportForm(forms.Form):
    file = forms.FileField(label=_("Paper forms (.xlsx)"))
