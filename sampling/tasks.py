import logging

from celery import shared_task
from django.utils import translation

from rounds.imports import import_interrupted

from .imports import frame_import_run, roster_import_run

logger = logging.getLogger(__name__)


@shared_task(max_retries=2, acks_late=True)
def frame_import(batch_id: int, round_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        try:
            return frame_import_run(batch_id=batch_id, round_id=round_id).status
        except Exception:
            logger.exception("frame import %s interrupted", batch_id)
            import_interrupted(batch_id=batch_id)
            return "failed"


@shared_task(max_retries=2, acks_late=True)
def roster_import(batch_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        try:
            return roster_import_run(batch_id=batch_id).status
        except Exception:
            logger.exception("roster import %s interrupted", batch_id)
            import_interrupted(batch_id=batch_id)
            return "failed"
