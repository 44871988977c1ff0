from celery import shared_task
from django.utils import translation

from .imports import school_import_run


@shared_task(max_retries=2, acks_late=True)
def school_import(batch_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return school_import_run(batch_id=batch_id).status
