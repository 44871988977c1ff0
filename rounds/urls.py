from django.urls import path

from .views import home, people, registry, rounds

urlpatterns = [
    path("", home.home, name="home"),
    path("schools/", registry.school_list, name="school_list"),
    path("schools/new/", registry.school_create, name="school_create"),
    path("schools/import/", registry.school_import, name="school_import"),
    path("schools/import/template.xlsx", registry.school_template, name="school_template"),
    path("schools/<int:pk>/", registry.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", registry.school_edit, name="school_edit"),
    path("imports/<int:pk>/", registry.import_detail, name="import_detail"),
    path("departments/", registry.department_list, name="department_list"),
    path("departments/new/", registry.department_create, name="department_create"),
    path("departments/<int:pk>/edit/", registry.department_edit, name="department_edit"),
    path("rounds/", rounds.round_list, name="round_list"),
    path("rounds/new/", rounds.round_create_view, name="round_create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", rounds.round_edit, name="round_edit"),
    path("rounds/<int:pk>/timetable/", rounds.timetable_edit, name="timetable_edit"),
    path("rounds/<int:pk>/milestones/", rounds.milestones_edit, name="milestones_edit"),
    path("rounds/<int:pk>/advance/", rounds.round_advance_view, name="round_advance"),
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create_view, name="person_create"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/reset-password/", people.person_reset_password_view, name="person_reset_password"),
    path("audit/", people.audit_list, name="audit_list"),
]
