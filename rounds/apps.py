from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = _("Rounds and registry")

    def ready(self):
        from django.core import checks
        from django.db.models import fields

        # Django 6's empty choice of a select, which its own catalog does not yet translate:
        # Django's documented way to change it (our catalog holds its Chinese).
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")

        from monitoring_site.fonts import check_cjk_font

        checks.register(check_cjk_font)
