from django.urls import path

from .views import public, staff, verification

# Respondents (no account): the code travels in a signed cookie, never in the URL.
public_urlpatterns = [
    path("q/", public.respond_start, name="respond_start"),
    path("q/answer/", public.respond_form, name="respond_form"),
    path("q/answer/save/", public.respond_save, name="respond_save"),
    path("q/answer/submit/", public.respond_submit, name="respond_submit"),
    path("q/done/", public.respond_done, name="respond_done"),
]

staff_urlpatterns = [
    path("", staff.questionnaire_index, name="questionnaire_index"),
    path("rounds/<int:pk>/instruments/", staff.instrument_list, name="instrument_list"),
    path("rounds/<int:pk>/instruments/install/", staff.instrument_install, name="instrument_install"),
    path("rounds/<int:pk>/instruments/upload/", staff.instrument_upload, name="instrument_upload"),
    path(
        "rounds/<int:pk>/instruments/template.xlsx",
        staff.instrument_template,
        name="instrument_template",
    ),
    path("instruments/<int:pk>/", staff.instrument_detail, name="instrument_detail"),
    path(
        "instruments/<int:pk>/definition.xlsx",
        staff.instrument_definition,
        name="instrument_definition",
    ),
    path("instruments/<int:pk>/export.xlsx", staff.instrument_export, name="instrument_export"),
    path("instruments/<int:pk>/paper/", staff.paper_import, name="paper_import"),
    path("instruments/<int:pk>/paper/template.xlsx", staff.paper_template, name="paper_template"),
    path("paper-imports/<int:pk>/", staff.paper_import_detail, name="paper_import_detail"),
    path("paper-imports/<int:pk>/double-entry/draw/", verification.verification_draw, name="verification_draw"),
    path("paper-imports/<int:pk>/double-entry/extend/", verification.verification_extend, name="verification_extend"),
    path("paper-imports/<int:pk>/double-entry/forms/", verification.verification_forms, name="verification_forms"),
    path("paper-imports/<int:pk>/double-entry/workbook.xlsx", verification.verification_workbook, name="verification_workbook"),
    path(
        "paper-imports/<int:pk>/double-entry/workbook/",
        verification.verification_workbook_upload,
        name="verification_workbook_upload",
    ),
    path("paper-imports/<int:pk>/double-entry/comparison/", verification.verification_compare, name="verification_compare"),
    path("double-entry/forms/<int:pk>/", verification.second_entry, name="second_entry"),
    path("double-entry/disagreements/<int:pk>/decide/", verification.disagreement_decide_view, name="disagreement_decide"),
    path("rounds/<int:pk>/codes/", staff.access_codes, name="access_codes"),
    path("rounds/<int:pk>/codes/county-slips/", staff.county_slips, name="county_slips"),
    path("rounds/<int:pk>/tracking/", staff.questionnaire_tracking, name="questionnaire_tracking"),
    path("rounds/<int:pk>/indicators/", staff.indicator_overview, name="indicator_overview"),
    path("sampled-schools/<int:pk>/tracking/", staff.school_tracking, name="school_tracking"),
    path("sampled-schools/<int:pk>/slips/", staff.code_slips, name="code_slips"),
    path("sampled-schools/<int:pk>/reminders/", staff.reminder_list, name="reminder_list"),
]

urlpatterns = public_urlpatterns + staff_urlpatterns
