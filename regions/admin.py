from django.contrib import admin

from .models import ReportBatch


@admin.register(ReportBatch)
class ReportBatchAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "created_by", "created_at", "finished_at"]
    list_filter = ["region", "year"]
    readonly_fields = ["documents"]
