from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    FrameSchool,
    PeExemption,
    Roster,
    RosterEntry,
    RosterUpload,
    SampledSchool,
    SampledStudent,
    SamplingPlan,
    SchoolDraw,
    StudentDraw,
)


@admin.register(SamplingPlan)
class SamplingPlanAdmin(SimpleHistoryAdmin):
    list_display = ["round", "frame_version", "frozen_at", "notice_names"]


@admin.register(FrameSchool)
class FrameSchoolAdmin(SimpleHistoryAdmin):
    list_display = ["school", "plan", "grade4", "grade8"]
    list_select_related = ["school", "plan__round__county"]


@admin.register(SchoolDraw)
class SchoolDrawAdmin(SimpleHistoryAdmin):
    list_display = ["round", "grade", "n", "seed", "drawn_by", "drawn_at", "is_current", "confirmed_at"]
    readonly_fields = ["result"]


@admin.register(SampledSchool)
class SampledSchoolAdmin(SimpleHistoryAdmin):
    list_display = ["school", "round", "grade", "serial", "enrolment", "probability", "weight", "status"]
    list_filter = ["grade", "status"]


@admin.register(SampledStudent)
class SampledStudentAdmin(SimpleHistoryAdmin):
    list_display = ["monitoring_id", "sampled_school", "sex", "exclusion", "pe_exempt"]
    search_fields = ["monitoring_id"]


@admin.register(Roster)
class RosterAdmin(SimpleHistoryAdmin):
    list_display = ["sampled_school", "size", "submitted_by", "submitted_at", "details_deleted_at"]


@admin.register(RosterEntry)
class RosterEntryAdmin(SimpleHistoryAdmin):
    list_display = ["student_number", "roster"]


@admin.register(RosterUpload)
class RosterUploadAdmin(SimpleHistoryAdmin):
    list_display = ["batch", "sampled_school"]


@admin.register(StudentDraw)
class StudentDrawAdmin(SimpleHistoryAdmin):
    list_display = ["sampled_school", "seed", "roster_size", "n", "drawn_at", "confirmed_at"]


@admin.register(PeExemption)
class PeExemptionAdmin(SimpleHistoryAdmin):
    list_display = ["student", "recorded_by", "recorded_at"]
