from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BmiNormRow,
    CutScores,
    DiagnosisRule,
    Finding,
    Norm,
    PeMeasurement,
    ReferenceValue,
    ResultImport,
    StudentScore,
    WeeklyLessonNorm,
)


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "round", "rule", "status"]
    list_filter = ["status", "rule"]


@admin.register(ResultImport)
class ResultImportAdmin(SimpleHistoryAdmin):
    list_display = ["round", "kind", "domain", "state"]
    list_filter = ["kind", "state"]


class _ImmutableRowAdmin(admin.ModelAdmin):
    """Imported rows are never edited: a correction is a new import (see results.models)."""

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StudentScore)
class StudentScoreAdmin(_ImmutableRowAdmin):
    list_display = ["student", "result_import", "attendance", "score"]
    raw_id_fields = ["student", "result_import"]


@admin.register(PeMeasurement)
class PeMeasurementAdmin(_ImmutableRowAdmin):
    list_display = ["student", "result_import", "attendance", "height_cm", "weight_kg"]
    raw_id_fields = ["student", "result_import"]


for model in (CutScores, ReferenceValue, Norm, WeeklyLessonNorm, BmiNormRow, DiagnosisRule):
    admin.site.register(model, SimpleHistoryAdmin)
