from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = _("Rounds and registry")

    def ready(self):
        from django.core import checks

        from monitoring_site.fonts import check_cjk_font

        checks.register(check_cjk_font)
