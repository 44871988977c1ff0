from django.urls import path

from . import views

urlpatterns = [
    path("", views.region_rollup, name="region_rollup"),
    path("export/", views.region_rollup_export, name="region_rollup_export"),
    path("counties/<int:pk>/", views.region_county, name="region_county"),
    path("counties/<int:pk>/documents/<int:document>/pdf/", views.region_county_document, name="region_county_document"),
    path("references/", views.region_references, name="region_references"),
    path("reports/", views.region_reports_start, name="region_reports_start"),
    path("reports/<int:pk>/", views.region_reports, name="region_reports"),
    path("reports/<int:pk>/<int:document>/pdf/", views.region_report_pdf, name="region_report_pdf"),
    path("references/<int:pk>/withdraw/", views.region_reference_withdraw_view, name="region_reference_withdraw"),
    path("norms/", views.region_norms, name="region_norms"),
    path("norms/<slug:kind>/<int:pk>/withdraw/", views.region_norm_withdraw_view, name="region_norm_withdraw"),
]
