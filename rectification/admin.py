from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    DeadlineWarning,
    EvidenceFile,
    IndicatorReading,
    Notification,
    Plan,
    PlanItem,
    PlanVersion,
    Problem,
    Progress,
)


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "round", "source", "withdrawn_at"]
    list_filter = ["source"]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "round", "status", "number"]
    readonly_fields = ["version"]


@admin.register(PlanVersion)
class PlanVersionAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "number", "approved_by", "approved_at"]


@admin.register(PlanItem)
class PlanItemAdmin(SimpleHistoryAdmin):
    list_display = [
        "problem",
        "lead_department",
        "deadline",
        "approved_deadline",
        "status",
        "percent",
    ]
    list_filter = ["status"]
    readonly_fields = ["version"]


@admin.register(Progress)
class ProgressAdmin(SimpleHistoryAdmin):
    list_display = ["item", "posted_by", "posted_at", "percent", "marks_done", "status"]
    list_filter = ["status"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "progress", "size", "content_type"]


@admin.register(IndicatorReading)
class IndicatorReadingAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "round", "value"]


@admin.register(DeadlineWarning)
class DeadlineWarningAdmin(SimpleHistoryAdmin):
    list_display = ["item", "event", "deadline", "found_on", "mailed", "mail_error"]
    list_filter = ["event"]


@admin.register(Notification)
class NotificationAdmin(SimpleHistoryAdmin):
    list_display = ["recipient", "kind", "message", "created_at", "read_at"]
    list_filter = ["kind"]
