from celery import shared_task
from django.utils import translation

from rounds.imports import import_task_run

from .imports import frame_import_run, roster_import_run


@shared_task(acks_late=True)
def frame_import(batch_id: int, round_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return import_task_run(batch_id=batch_id, run=lambda: frame_import_run(batch_id=batch_id, round_id=round_id))


@shared_task(acks_late=True)
def roster_import(batch_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return import_task_run(batch_id=batch_id, run=lambda: roster_import_run(batch_id=batch_id))
