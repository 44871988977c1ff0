from celery import shared_task
from django.utils import translation

from rounds.imports import import_task_run

from .imports import result_import_run
from .models import ResultImport


@shared_task(acks_late=True)
def result_import(result_import_id: int, language: str = "zh-hans", confirm: bool = False) -> str:
    """Check (and, confirmed, write) a score or PE file. Cut off by an unexpected error — the
    database gone while writing, say — nothing of it is kept (one transaction), its batch says
    so in the user's language, and the import is refused; an import in use stays in use."""
    with translation.override(language):
        ri = ResultImport.objects.get(pk=result_import_id)
        status = import_task_run(
            batch_id=ri.batch_id, run=lambda: result_import_run(result_import_id=result_import_id, confirm=confirm).batch
        )
        ri.refresh_from_db()
        if status == "failed" and ri.state in (ResultImport.State.CHECKING, ResultImport.State.AWAITING):
            ri.state = ResultImport.State.REFUSED
            ri.save(update_fields=["state"])
        return ri.state
