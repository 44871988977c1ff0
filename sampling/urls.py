from django.urls import path

from .views import frame, schools, students

urlpatterns = [
    path("rounds/<int:pk>/", frame.sampling_round, name="sampling_round"),
    path("rounds/<int:pk>/frame/", frame.frame_detail, name="frame_detail"),
    path("rounds/<int:pk>/frame/build/", frame.frame_build_view, name="frame_build"),
    path("rounds/<int:pk>/frame/template.xlsx", frame.frame_template, name="frame_template"),
    path("rounds/<int:pk>/frame/import/", frame.frame_import, name="frame_import"),
    path("rounds/<int:pk>/frame/imports/<int:batch>/", frame.frame_import_detail, name="frame_import_detail"),
    path("rounds/<int:pk>/draw/<int:grade>/", frame.school_draw, name="school_draw"),
    path("rounds/<int:pk>/draw/<int:grade>/review/", frame.draw_review, name="draw_review"),
    path("rounds/<int:pk>/draw/<int:grade>/confirm/", frame.draw_confirm, name="draw_confirm"),
    path("rounds/<int:pk>/notice-settings/", frame.notice_settings, name="notice_settings"),
    path("rounds/<int:pk>/students/draw/", schools.student_draw, name="student_draw"),
    path("rounds/<int:pk>/students/confirm/", schools.student_confirm, name="student_confirm"),
    path("mine/", schools.my_sample, name="my_sample"),
    path("schools/<int:pk>/", schools.sampled_school_detail, name="sampled_school_detail"),
    path("schools/<int:pk>/replace/", frame.school_replace_view, name="school_replace"),
    path("schools/<int:pk>/roster/upload/", schools.roster_upload, name="roster_upload"),
    path("schools/<int:pk>/roster/template.xlsx", schools.roster_template, name="roster_template"),
    path("schools/<int:pk>/roster/imports/<int:batch>/", schools.roster_import_detail, name="roster_import_detail"),
    path("schools/<int:pk>/roster/type/", schools.roster_type, name="roster_type"),
    path("schools/<int:pk>/students.xlsx", students.student_list_xlsx, name="student_list_xlsx"),
    path("schools/<int:pk>/seat-labels/", students.seat_labels, name="seat_labels"),
    path("schools/<int:pk>/notice/", students.notice_sheet, name="notice_sheet"),
    path("schools/<int:pk>/documents/<slug:kind>/", students.school_document_request, name="school_document_request"),
    path("students/<int:pk>/exclusion/", students.student_exclude_view, name="student_exclude"),
    path("students/<int:pk>/pe-exemption/", students.pe_exemption, name="pe_exemption"),
    path("students/<int:pk>/pe-exemption/certificate/", students.pe_certificate, name="pe_certificate"),
]
