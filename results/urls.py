from django.urls import path

from .views import findings, imports, pages, reference, verification

urlpatterns = [
    path("", pages.results_home, name="results_home"),
    path("rounds/<int:pk>/", pages.results_overview, name="results_overview"),
    path(
        "rounds/<int:pk>/domain/<str:domain>/<int:grade>/",
        pages.results_domain,
        name="results_domain",
    ),
    path(
        "rounds/<int:pk>/domain/<str:domain>/<int:grade>/students/",
        pages.results_students,
        name="results_students",
    ),
    path("rounds/<int:pk>/pe/", pages.results_pe, name="results_pe"),
    path("rounds/<int:pk>/factors/", pages.results_factors, name="results_factors"),
    path("rounds/<int:pk>/import/", imports.results_import, name="results_import"),
    path(
        "rounds/<int:pk>/import/<str:kind>/template.xlsx",
        imports.results_template,
        name="results_template",
    ),
    path("imports/<int:pk>/", imports.results_import_detail, name="results_import_detail"),
    path("imports/<int:pk>/confirm/", imports.results_import_confirm, name="results_import_confirm"),
    path("imports/<int:pk>/cancel/", imports.results_import_cancel, name="results_import_cancel"),
    path("imports/<int:pk>/verification/draw/", verification.results_verification_draw, name="results_verification_draw"),
    path("imports/<int:pk>/verification/extend/", verification.results_verification_extend, name="results_verification_extend"),
    path("imports/<int:pk>/verification/", verification.results_verification_rows, name="results_verification_rows"),
    path(
        "imports/<int:pk>/verification/second-entry.xlsx",
        verification.results_verification_workbook,
        name="results_verification_workbook",
    ),
    path("imports/<int:pk>/verification/compare/", verification.results_verification_compare, name="results_verification_compare"),
    path("verification-rows/<int:pk>/", verification.results_second_entry, name="results_second_entry"),
    path("row-disagreements/<int:pk>/decide/", verification.results_disagreement_decide, name="results_disagreement_decide"),
    path("rounds/<int:pk>/cut-scores/", reference.results_cut_scores, name="results_cut_scores"),
    path("rounds/<int:pk>/references/", reference.results_references, name="results_references"),
    path(
        "rounds/<int:pk>/references/<int:ref>/delete/",
        reference.results_reference_delete,
        name="results_reference_delete",
    ),
    path("rounds/<int:pk>/settings/", reference.results_settings, name="results_settings"),
    path("rounds/<int:pk>/findings/", findings.results_findings, name="results_findings"),
    path("rounds/<int:pk>/findings/diagnose/", findings.results_diagnose, name="results_diagnose"),
    path("rounds/<int:pk>/findings/new/", findings.results_finding_add, name="results_finding_add"),
    path(
        "findings/<int:pk>/dismiss/",
        findings.results_finding_dismiss,
        name="results_finding_dismiss",
    ),
]
