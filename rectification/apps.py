from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

BEAT_ENTRY = "rectification-deadlines-daily"


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = _("Rectification")

    def ready(self) -> None:
        from celery.schedules import crontab

        from monitoring_site.celery import app

        # Every morning at 07:30 county time (CELERY_TIMEZONE), before the working day starts.
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            BEAT_ENTRY: {
                "task": "rectification.tasks.rectification_deadlines_daily",
                "schedule": crontab(hour=7, minute=30),
            },
        }
