from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccessCode,
    Answer,
    Disagreement,
    IndicatorRule,
    IndicatorValue,
    Instrument,
    Item,
    Response,
    Section,
    VerificationForm,
    VerificationSample,
)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "version", "round", "created_at"]
    list_filter = ["kind", "round"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "instrument", "order"]


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "type", "label", "instrument", "required"]
    list_filter = ["type", "instrument"]
    search_fields = ["code", "label"]


@admin.register(IndicatorRule)
class IndicatorRuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "calculation", "instrument"]


@admin.register(AccessCode)
class AccessCodeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "kind", "sampled_school", "serial", "round"]
    list_filter = ["kind", "round"]
    raw_id_fields = ["student", "sampled_school"]


@admin.register(Response)
class ResponseAdmin(SimpleHistoryAdmin):
    list_display = ["access_code", "instrument", "source", "started_at", "submitted_at"]
    list_filter = ["source", "instrument__kind"]
    raw_id_fields = ["access_code"]


@admin.register(Answer)
class AnswerAdmin(SimpleHistoryAdmin):
    list_display = ["response", "item", "value", "saved_at"]
    raw_id_fields = ["response", "item"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["response", "code", "value"]
    raw_id_fields = ["response"]


@admin.register(VerificationSample)
class VerificationSampleAdmin(SimpleHistoryAdmin):
    list_display = ["batch", "seed", "drawn_by", "drawn_at", "needs_full_entry"]


@admin.register(VerificationForm)
class VerificationFormAdmin(SimpleHistoryAdmin):
    list_display = ["response", "sample", "entered_by", "entered_at", "fields_compared"]


@admin.register(Disagreement)
class DisagreementAdmin(SimpleHistoryAdmin):
    list_display = ["form", "item", "choice", "decided_by", "decided_at"]
