from django.urls import path

from . import views

urlpatterns = [
    path("", views.region_rollup, name="region_rollup"),
    path("export/", views.region_rollup_export, name="region_rollup_export"),
    path("counties/<int:pk>/", views.region_county, name="region_county"),
    path("references/", views.region_references, name="region_references"),
    path("references/<int:pk>/withdraw/", views.region_reference_withdraw_view, name="region_reference_withdraw"),
]
