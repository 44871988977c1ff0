from django.urls import path

from .views import checklist, custody, offline, readiness, school

R = "rounds/<int:round_pk>/"
S = R + "schools/<int:school_pk>/"

urlpatterns = [
    path("", readiness.logistics_home, name="logistics_home"),
    path(R + "readiness/", readiness.readiness_dashboard, name="readiness_dashboard"),
    path(R + "readiness.xlsx", readiness.readiness_export, name="readiness_export"),
    path(R + "template/", readiness.template_detail, name="template_detail"),
    path(R + "template/rooms/new/", readiness.template_room_add_view, name="template_room_add"),
    path(
        R + "template/rooms/<int:room_pk>/items/new/",
        readiness.template_item_add,
        name="template_item_add",
    ),
    path(
        R + "template/items/<int:item_pk>/edit/",
        readiness.template_item_edit,
        name="template_item_edit",
    ),
    path(
        R + "template/items/<int:item_pk>/delete/",
        readiness.template_item_delete_view,
        name="template_item_delete",
    ),
    path(R + "incidents/", custody.incident_feed, name="incident_feed"),
    path(R + "sync/", offline.sync_overview_view, name="sync_overview"),
    path(S + "sync/", offline.sync, name="offline_sync"),
    path(S, school.school_logistics, name="school_logistics"),
    path(S + "checklist/", checklist.checklist_fill, name="checklist_fill"),
    path(S + "checklist/items/<int:item_pk>/", checklist.answer_save_view, name="answer_save"),
    path(S + "checklist/items/<int:item_pk>/photos/", checklist.photo_upload, name="photo_upload"),
    path(S + "checklist/photos/<int:photo_pk>/remove/", checklist.photo_remove, name="photo_remove"),
    path(S + "checklist/submit/", checklist.checklist_submit_view, name="checklist_submit"),
    path(S + "checklist/review/", checklist.checklist_review, name="checklist_review"),
    path(S + "staff/", school.staff_edit, name="staff_edit"),
    path(S + "drills/new/", school.drill_add, name="drill_add"),
    path(S + "sessions/<int:session_pk>/", school.session_attendance, name="session_attendance"),
    path(S + "sessions/<int:session_pk>/all-present/", school.attendance_mark_all_view, name="attendance_mark_all"),
    path(
        S + "sessions/<int:session_pk>/students/<int:student_pk>/",
        school.attendance_mark_view,
        name="attendance_mark",
    ),
    path(S + "custody/", custody.custody, name="custody"),
    path(S + "custody/packages/new/", custody.package_add_view, name="package_add"),
    path(
        S + "custody/packages/<int:package_pk>/handovers/new/",
        custody.handover_add,
        name="handover_add",
    ),
    path(S + "incidents/", custody.incident_list, name="incident_list"),
    path(S + "incidents/new/", custody.incident_add, name="incident_add"),
    path(S + "incidents/<int:pk>/", custody.incident_detail, name="incident_detail"),
    path(
        S + "incidents/<int:pk>/countersign/",
        custody.incident_countersign_view,
        name="incident_countersign",
    ),
    path(S + "incidents/<int:pk>/attachments/", custody.incident_attach, name="incident_attach"),
    path("files/<int:pk>/", checklist.evidence_preview, name="evidence_preview"),
    path("files/<int:pk>/<str:variant>/", checklist.evidence_file, name="evidence_file"),
]
