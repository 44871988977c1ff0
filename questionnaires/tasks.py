from celery import shared_task
from django.utils import translation

from .imports import paper_import_run


@shared_task(acks_late=True)
def paper_import(batch_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return paper_import_run(batch_id=batch_id).status
