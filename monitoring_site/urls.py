from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .views import LogoutView, PasswordChangeView, healthz, service_worker

admin.site.site_header = _("Quality monitoring — administration")
admin.site.site_title = _("Quality monitoring")

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("healthz", healthz, name="healthz"),
    path("sw.js", service_worker, name="service_worker"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("sampling/", include("sampling.urls")),
    path("logistics/", include("logistics.urls")),
    path("questionnaires/", include("questionnaires.urls")),
    path("results/", include("results.urls")),
    path("rectification/", include("rectification.urls")),
    path("regions/", include("regions.urls")),
    path("", include("rounds.urls")),
]

handler403 = "monitoring_site.views.permission_denied"
handler404 = "monitoring_site.views.page_not_found"
handler500 = "monitoring_site.views.server_error"
