"""Cut scores, reference values, norms, the BMI table and rule thresholds (county staff)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm
from regions.norms import PUBLISHED, published_for, unpublished

from ..diagnosis import RULES
from ..forms import (
    BmiFormSet,
    CutScoresFormSet,
    LessonFormSet,
    NormFormSet,
    ReferenceValueForm,
    RuleFormSet,
)
from ..models import BmiNormRow, CutScores, DiagnosisRule, Norm, ReferenceValue, WeeklyLessonNorm
from ..previous import system_previous
from ..reference import county_defaults_ensure, cut_scores_all
from ..services import (
    StageRefused,
    cut_scores_save,
    reference_row_save,
    reference_value_delete,
    reference_value_save,
)
from .common import base_context, round_for


@require_perm("results.manage_results")
def results_cut_scores(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    cut_scores_all(rnd=rnd)
    queryset = CutScores.objects.filter(round=rnd).order_by("grade", "domain")
    formset = CutScoresFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                for form in formset.forms:
                    if form.has_changed():
                        cut_scores_save(cut=form.save(commit=False), user=request.user)
        except StageRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Cut scores saved; every student's level follows them."))
            return redirect("results_cut_scores", pk=rnd.pk)
    return render(request, "results/cut_scores.html", base_context(rnd, formset=formset))


@require_perm("results.manage_results")
def results_references(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    form = ReferenceValueForm(request.POST or None, rnd=rnd, initial={"year": rnd.year, "grade": 4})
    if request.method == "POST" and form.is_valid():
        reference_value_save(ref=form.save(commit=False), user=request.user)
        messages.success(request, _("Reference value added."))
        return redirect("results_references", pk=rnd.pk)
    refs = ReferenceValue.objects.filter(round=rnd)
    system = system_previous(rnd)
    return render(request, "results/references.html", base_context(rnd, form=form, refs=refs, system=system))


@require_POST
@require_perm("results.manage_results")
def results_reference_delete(request: AuthenticatedHttpRequest, pk: int, ref: int) -> HttpResponse:
    rnd = round_for(request, pk)
    obj = get_visible_or_404(ReferenceValue.objects.filter(round=rnd), pk=ref)
    reference_value_delete(ref=obj, user=request.user)
    messages.success(request, _("Reference value deleted."))
    return redirect("results_references", pk=rnd.pk)


def _formsets(request: AuthenticatedHttpRequest, county, published: dict) -> dict:
    """The county's own rows but those its city or province published (shown read-only)."""
    data = request.POST if request.method == "POST" else None
    return {
        "norms": NormFormSet(data, prefix="norm", queryset=unpublished(Norm.objects.filter(county=county), published["norm"])),
        "lessons": LessonFormSet(
            data, prefix="lesson", queryset=unpublished(WeeklyLessonNorm.objects.filter(county=county), published["lesson"])
        ),
        "bmi": BmiFormSet(data, prefix="bmi", queryset=unpublished(BmiNormRow.objects.filter(county=county), published["bmi"])),
        "rules": RuleFormSet(data, prefix="rule", queryset=DiagnosisRule.objects.filter(county=county)),
    }


@require_perm("results.manage_results")
def results_settings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    county_defaults_ensure(county=rnd.county)
    published = {kind: published_for(model, rnd.county) for kind, model in PUBLISHED.items()}
    formsets = _formsets(request, rnd.county, published)
    if request.method == "POST" and all(fs.is_valid() for fs in formsets.values()):
        try:
            with transaction.atomic():
                for fs in formsets.values():
                    for form in fs.forms:
                        if form.has_changed():
                            obj = form.save(commit=False)
                            obj.county = rnd.county
                            try:
                                reference_row_save(obj=obj, user=request.user)
                            except ValidationError as exc:  # e.g. a second row for a grade and sex (one published)
                                form.add_error(None, exc.messages)
                                raise
        except ValidationError:
            pass  # nothing saved; the page again with the row's error
        else:
            messages.success(request, _("Norms, BMI table and rule thresholds saved."))
            return redirect("results_settings", pk=rnd.pk)
    rule_text = {code: rule.description for code, rule in RULES.items()}
    return render(request, "results/settings.html", base_context(rnd, rule_text=rule_text, published=published, **formsets))
