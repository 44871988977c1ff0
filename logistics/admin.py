from django.contrib import admin
from django.db.models import Model
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Attendance,
    Checklist,
    ChecklistAnswer,
    ChecklistEvent,
    ChecklistItem,
    ChecklistRoom,
    ChecklistTemplate,
    Countersignature,
    DeviceSync,
    EvidenceFile,
    Handover,
    Incident,
    ItemComment,
    MockDrill,
    Package,
    SessionRecord,
    StaffAssignment,
    SyncedRecord,
)


class AppendOnlyAdmin(SimpleHistoryAdmin):
    """Custody and incidents are corrected by new entries, never edited or deleted."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


model: type[Model]
for model in (
    ChecklistTemplate,
    ChecklistRoom,
    ChecklistItem,
    Checklist,
    ChecklistAnswer,
    EvidenceFile,
    ChecklistEvent,
    ItemComment,
    StaffAssignment,
    MockDrill,
    SessionRecord,
    Attendance,
):
    admin.site.register(model, SimpleHistoryAdmin)
for model in (Package, Handover, Incident, Countersignature):
    admin.site.register(model, AppendOnlyAdmin)


@admin.register(SyncedRecord, DeviceSync)
class SyncAdmin(admin.ModelAdmin):
    """What devices sent: kept as received, read only."""

    def has_change_permission(self, request, obj=None):
        return False
