from celery import shared_task
from django.utils import translation

from .imports import frame_import_run, roster_import_run


@shared_task(max_retries=2, acks_late=True)
def frame_import(batch_id: int, round_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return frame_import_run(batch_id=batch_id, round_id=round_id).status


@shared_task(max_retries=2, acks_late=True)
def roster_import(batch_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return roster_import_run(batch_id=batch_id).status
