from django.urls import path

from .views import overview, plan, progress

urlpatterns = [
    path("", overview.rectification_home, name="rectification_home"),
    path("rounds/<int:round_pk>/", overview.rectification_overview, name="rectification_overview"),
    path(
        "rounds/<int:round_pk>/export.xlsx",
        overview.rectification_export,
        name="rectification_export",
    ),
    path("rounds/<int:round_pk>/report/", overview.rectification_report, name="rectification_report"),
    path("rounds/<int:round_pk>/effect/", overview.rectification_effect, name="rectification_effect"),
    path("rounds/<int:round_pk>/problems/", plan.problem_list, name="problem_list"),
    path("rounds/<int:round_pk>/problems/new/", plan.problem_create, name="problem_create"),
    path("findings/<int:finding_pk>/problem/", plan.problem_from_finding, name="problem_from_finding"),
    path("problems/<int:pk>/withdraw/", plan.problem_withdraw, name="problem_withdraw"),
    path("rounds/<int:round_pk>/plan/", plan.plan_detail, name="plan_detail"),
    path("rounds/<int:round_pk>/plan/edit/", plan.plan_edit, name="plan_edit"),
    path("rounds/<int:round_pk>/plan/approve/", plan.plan_approve, name="plan_approve"),
    path("rounds/<int:round_pk>/plan/revise/", plan.plan_revise, name="plan_revise"),
    path("rounds/<int:round_pk>/plan/print/", plan.plan_print, name="plan_print"),
    path("rounds/<int:round_pk>/plan/versions/", plan.plan_versions, name="plan_versions"),
    path("rounds/<int:round_pk>/items/new/", plan.item_create, name="item_create"),
    path("items/<int:pk>/", progress.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", plan.item_edit, name="item_edit"),
    path("items/<int:pk>/withdraw/", plan.item_withdraw, name="item_withdraw"),
    path("items/<int:pk>/progress/", progress.progress_create, name="progress_create"),
    path("progress/<int:pk>/verify/", progress.progress_verify, name="progress_verify"),
    path("evidence/<int:pk>/", progress.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/preview/", progress.evidence_preview, name="rect_evidence_preview"),
    path("evidence/<int:pk>/inline/", progress.evidence_inline, name="evidence_inline"),
    path("notifications/", overview.notification_list, name="notification_list"),
    path("notifications/read/", overview.notification_read, name="notification_read"),
]
