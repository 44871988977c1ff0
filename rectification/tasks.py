"""The daily deadline sweep; Celery beat runs it every morning (schedule set in ``apps.py``)."""

from celery import shared_task
from django.utils import timezone

from .alerts import deadlines_notify


@shared_task(soft_time_limit=540, time_limit=600)
def rectification_deadlines_daily() -> dict:
    result = deadlines_notify(today=timezone.localdate())
    return {
        "warnings": result.warnings,
        "notices": result.notices,
        "mails": result.mails,
        "mail_failures": result.mail_failures,
    }
