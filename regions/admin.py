from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import RegionBmiRow, RegionLessonNorm, RegionNorm, ReportBatch


@admin.register(ReportBatch)
class ReportBatchAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "created_by", "created_at", "finished_at"]
    list_filter = ["region", "year"]
    readonly_fields = ["documents"]


for model in (RegionNorm, RegionLessonNorm, RegionBmiRow):
    admin.site.register(model, SimpleHistoryAdmin)
