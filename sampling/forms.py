from __future__ import annotations

import secrets

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import NoticeNames, SampledStudent

CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024
# Magic numbers: what the file really is, whatever its name says.
CERTIFICATE_SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def new_seed() -> int:
    return secrets.randbelow(10**9)


class DrawForm(_Form):
    SORT_CHOICES = [
        ("location,school_type,size", _("Location, then school type, then size")),
        ("school_type,location,size", _("School type, then location, then size")),
        ("location,size", _("Location, then size")),
        ("size", _("Size only")),
    ]
    n = forms.IntegerField(label=_("Schools to draw"), min_value=1, max_value=100)
    sort_order = forms.ChoiceField(label=_("Sort order of the frame (implicit stratification)"), choices=SORT_CHOICES)
    seed = forms.IntegerField(
        label=_("Random seed"), min_value=0, max_value=2**62, help_text=_("Drawn at random for you; the same seed gives the same sample.")
    )


class StudentDrawForm(_Form):
    seed = forms.IntegerField(
        label=_("Random seed"), min_value=0, max_value=2**62, help_text=_("Each school's own seed is derived from it and recorded.")
    )


class ReplaceForm(_Form):
    school = forms.TypedChoiceField(label=_("Replacement school"), coerce=int)
    reason = forms.CharField(label=_("Why the school cannot take part"), max_length=200)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(s.pk, f"{s.name}（{s.code}）") for s in candidates]


class UploadForm(_Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"), help_text=_("Made from the template."))


class RosterTypeForm(_Form):
    text = forms.CharField(
        label=_("The whole grade roster, one pupil a line"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_(
            "Name, sex (男/女), date of birth (2016-09-01), grade, class (or -), student number, separated by tabs, commas or spaces."
        ),
    )


class ExclusionForm(_Form):
    exclusion = forms.ChoiceField(
        label=_("Exclusion code"), required=False, choices=[("", _("Not excluded"))] + list(SampledStudent.Exclusion.choices)
    )
    exclusion_reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("exclusion") and not data.get("exclusion_reason", "").strip():
            self.add_error("exclusion_reason", _("Give the reason for the exclusion."))
        return data


class PeExemptionForm(_Form):
    certificate = forms.FileField(label=_("Doctor's certificate (诊断证明)"), help_text=_("A photo (JPEG, PNG) or a PDF, at most 5 MB."))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean_certificate(self):
        upload = self.cleaned_data["certificate"]
        if upload.size > min(CERTIFICATE_MAX_BYTES, settings.UPLOAD_MAX_BYTES):
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        head = upload.read(16)
        upload.seek(0)
        kind = next((t for sig, t in CERTIFICATE_SIGNATURES.items() if head.startswith(sig)), None)
        if kind is None:
            raise forms.ValidationError(_("The file is not a JPEG or PNG image or a PDF."))
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in {"application/pdf": {"pdf"}, "image/png": {"png"}, "image/jpeg": {"jpg", "jpeg"}}[kind]:
            raise forms.ValidationError(_("The file's name does not match its content."))
        self.content_type = kind
        return upload


class NoticeSettingsForm(_Form):
    notice_names = forms.ChoiceField(
        label=_("Names on the notice board and seat labels"), choices=NoticeNames.choices, widget=forms.RadioSelect
    )
