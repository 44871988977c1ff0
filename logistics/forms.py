from __future__ import annotations

from django import forms
from django.forms import modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import (
    AttendanceStatus,
    ChecklistItem,
    Handover,
    HandoverKind,
    Incident,
    IncidentKind,
    ItemKind,
    MockDrill,
    Package,
    StaffAssignment,
)
from .uploads import UploadRefused, check_upload

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["text", "help_text", "kind", "minimum", "minimum_item", "photo_required"]

    def __init__(self, *args, rnd, **kwargs):
        super().__init__(*args, **kwargs)
        counts = ChecklistItem.objects.filter(room__template__round=rnd, kind=ItemKind.COUNT)
        if self.instance.pk:
            counts = counts.exclude(pk=self.instance.pk)
        self.fields["minimum_item"].queryset = counts
        self.fields["minimum_item"].required = False

    def clean(self):
        data = super().clean()
        if data.get("kind") != ItemKind.COUNT and (data.get("minimum") is not None or data.get("minimum_item")):
            raise forms.ValidationError(_("Only a count can have a minimum."))
        return data


class RoomForm(forms.Form):
    title = forms.CharField(label=_("Room"), max_length=80)


class AnswerForm(forms.Form):
    """One item's answer; the fields depend on the item's kind."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, item: ChecklistItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        if item.kind == ItemKind.YES_NO:
            self.fields["value_yes"] = forms.NullBooleanField(label=_("Answer"), required=False)
        elif item.kind == ItemKind.COUNT:
            self.fields["value_count"] = forms.IntegerField(label=_("Count"), min_value=0, max_value=100000, required=False)
        elif item.kind == ItemKind.TEXT:
            self.fields["value_text"] = forms.CharField(label=_("Answer"), max_length=500, required=False)
        else:
            self.fields["building"] = forms.CharField(label=pgettext_lazy("location", "Building"), max_length=60, required=False)
            self.fields["floor"] = forms.CharField(label=pgettext_lazy("location", "Floor"), max_length=20, required=False)
            self.fields["room_name"] = forms.CharField(label=pgettext_lazy("location", "Room"), max_length=60, required=False)

    def values(self) -> dict:
        return {
            k: ("" if v is None and k not in ("value_yes", "value_count") else v) for k, v in self.cleaned_data.items() if k != "version"
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Photo"))


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note to the school"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DrillForm(forms.ModelForm):
    class Meta:
        model = MockDrill
        fields = ["date", "inspector_name", "findings", "fixed", "passed"]
        widgets = {
            "date": DATE,
            "findings": forms.Textarea(attrs={"rows": 3}),
            "fixed": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_date(self):
        from .services import drill_date_refused

        date = self.cleaned_data["date"]
        refused = drill_date_refused(date)
        if refused:
            raise forms.ValidationError(refused)
        return date


StaffFormSet = modelformset_factory(
    StaffAssignment,
    fields=["role", "domain", "name", "phone"],
    extra=3,
    can_delete=True,
    widgets={
        "role": forms.Select(attrs={"class": "form-select form-select-sm"}),
        "domain": forms.Select(attrs={"class": "form-select form-select-sm"}),
        "name": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        "phone": forms.TextInput(attrs={"class": "form-control form-control-sm", "inputmode": "tel"}),
    },
)


class SessionRecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    actual_start = forms.TimeField(label=_("Actual start"), required=False, widget=TIME)
    actual_end = forms.TimeField(label=_("Actual end"), required=False, widget=TIME)
    monitors = forms.CharField(label=_("Monitors"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("actual_start") and data.get("actual_end") and data["actual_end"] <= data["actual_start"]:
            raise forms.ValidationError(_("The session must end after it starts."))
        return data


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(choices=AttendanceStatus.choices)


class PackageForm(forms.ModelForm):
    class Meta:
        model = Package
        fields = ["code", "seal_number", "contents", "count", "corrects"]

    def __init__(self, *args, packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = packages
        self.fields["corrects"].required = False
        self.fields["corrects"].help_text = _("Only to correct a package recorded wrongly: the old entry stays, marked as corrected.")


class HandoverForm(forms.ModelForm):
    confirm = forms.BooleanField(label=_("Both people named above have checked and signed this hand-over"))
    # The last step of the chain when the form was opened (blank: none yet): a step someone
    # else records meanwhile refuses this one (logistics.services.handover_stale).
    after = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Handover
        fields = [
            "kind",
            "at",
            "giver",
            "taker",
            "seal_intact",
            "count_matched",
            "counted",
            "note",
            "corrects",
        ]
        widgets = {"at": DATETIME}

    def __init__(self, *args, handovers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = HandoverKind.choices
        self.fields["at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        self.fields["at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["seal_intact"].initial = True
        self.fields["count_matched"].initial = True
        self.fields["corrects"].queryset = handovers
        self.fields["corrects"].required = False

    def clean(self):
        data = super().clean()
        if data.get("giver") and data.get("giver", "").strip() == data.get("taker", "").strip():
            raise forms.ValidationError(_("A hand-over needs two different people: the one who gives and the one who takes."))
        return data


class IncidentForm(forms.ModelForm):
    attachment = forms.FileField(label=_("Attachment (photo or PDF)"), required=False)

    class Meta:
        model = Incident
        fields = ["at", "session", "kind", "description", "action_taken", "corrects"]
        widgets = {
            "at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 3}),
            "action_taken": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_attachment(self):
        """Checked here so that a bad file is refused with the rest of the form kept."""
        upload = self.cleaned_data.get("attachment")
        if upload:
            try:
                check_upload(upload, allow_pdf=True)
            except UploadRefused as exc:
                raise forms.ValidationError(exc.message) from None
            upload.seek(0)
        return upload

    def __init__(self, *args, sessions, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = IncidentKind.choices
        self.fields["at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        self.fields["at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["session"].queryset = sessions
        self.fields["session"].required = False
        self.fields["corrects"].queryset = incidents
        self.fields["corrects"].required = False


class CountersignForm(forms.Form):
    note = forms.CharField(label=_("Inspector's note"), max_length=300, required=False)
