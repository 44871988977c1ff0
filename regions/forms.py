from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from results.forms import BmiRowForm, ReferenceValueForm, reference_clashes
from results.models import ReferenceValue
from rounds.models import Region

from .models import RegionBmiRow, RegionLessonNorm, RegionNorm

# What each office publishes: a city its own means, a province its own and the nation's.
SOURCES = {
    Region.Kind.CITY: [ReferenceValue.Source.CITY],
    Region.Kind.PROVINCE: [ReferenceValue.Source.PROVINCE, ReferenceValue.Source.NATION],
}


class RegionReferenceForm(forms.ModelForm):
    class Meta(ReferenceValueForm.Meta):  # the same fields and help as a county's typed value
        pass

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.region = region
        allowed = SOURCES[Region.Kind(region.kind)]
        self.fields["source"].choices = [(s.value, s.label) for s in allowed]  # type: ignore[attr-defined]
        self.fields["note"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        if reference_clashes(ReferenceValue.objects.filter(region=self.instance.region), data, self.instance.pk):
            raise forms.ValidationError(_("This value is already published for the year: withdraw it first to change it."))
        return data


class _PublishedNormForm(forms.ModelForm):
    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.region = region
        self.helper = FormHelper()
        self.helper.form_tag = False


class RegionNormForm(_PublishedNormForm):
    class Meta:
        model = RegionNorm
        fields = ["key", "value"]


class RegionLessonNormForm(_PublishedNormForm):
    class Meta:
        model = RegionLessonNorm
        fields = ["subject", "grade", "lessons"]


class RegionBmiRowForm(_PublishedNormForm, BmiRowForm):  # the county's row form: same fields, same checks
    class Meta:
        model = RegionBmiRow
        fields = BmiRowForm.Meta.fields


# Each by the key of regions.norms.PUBLISHED, which is also its prefix on the page.
NORM_FORMS: dict[str, type[_PublishedNormForm]] = {"norm": RegionNormForm, "lesson": RegionLessonNormForm, "bmi": RegionBmiRowForm}
