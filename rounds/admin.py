from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AuditEvent, County, Department, ImportBatch, Milestone, Person, Region, Round, School, TestSession


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    """The region tree: provinces, their cities; a county is put in its city on its own page."""

    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(County)
class CountyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "city", "province"]
    list_filter = ["city__parent", "city"]
    search_fields = ["code", "name"]
    list_select_related = ["city__parent"]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "county", "leader_name", "is_active"]
    list_filter = ["county", "is_active"]


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "county", "school_type", "location", "is_active"]
    list_filter = ["county", "school_type", "location", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["version"]


class TestSessionInline(admin.TabularInline):
    model = TestSession
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "year", "cycle_year", "stage", "test_start"]
    list_filter = ["stage", "county"]
    inlines = [TestSessionInline, MilestoneInline]
    readonly_fields = ["version"]


@admin.register(TestSession)
class TestSessionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "round", "grade", "day", "start", "end", "kind"]
    list_filter = ["round", "grade", "kind"]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "round", "due_date", "done_on"]
    list_filter = ["round", "kind"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "county", "region", "department", "must_change_password"]
    list_filter = ["role", "county", "region"]
    search_fields = ["user__username", "user__first_name"]
    filter_horizontal = ["schools"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "object_type", "summary", "ip_address"]
    list_filter = ["action", "object_type"]

    # The access log is evidence: it is never edited or deleted, not even by the admin.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "county", "status", "created_at", "uploaded_by"]
    list_filter = ["kind", "status"]
