from celery import shared_task
from django.utils import translation

from .imports import import_task_run, school_import_run


@shared_task(acks_late=True)
def school_import(batch_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return import_task_run(batch_id=batch_id, run=lambda: school_import_run(batch_id=batch_id))


# Its result is kept (a status word) so that a region's batch can be one chord of these builds.
@shared_task(bind=True, max_retries=2, acks_late=True, reject_on_worker_lost=True, soft_time_limit=540, time_limit=600, ignore_result=False)
def document_build(self, document_id: int, language: str = "zh-hans") -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    from .documents import document_build_run, document_fail

    with translation.override(language):
        try:
            return document_build_run(document_id=document_id).status
        except SoftTimeLimitExceeded:
            document_fail(document_id=document_id, error=translation.gettext("The build took too long and was stopped."))
            raise
        except Exception as exc:
            if self.request.retries < self.max_retries and not self.request.is_eager:
                raise self.retry(exc=exc, countdown=5) from exc
            document_fail(document_id=document_id, error=f"{type(exc).__name__}: {exc}")
            return "failed"
