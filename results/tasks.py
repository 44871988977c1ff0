from celery import shared_task
from django.utils import translation

from .imports import result_import_run


@shared_task(max_retries=2, acks_late=True)
def result_import(result_import_id: int, language: str = "zh-hans", confirm: bool = False) -> str:
    with translation.override(language):
        return result_import_run(result_import_id=result_import_id, confirm=confirm).state
