from celery import shared_task


@shared_task(acks_late=True)
def report_batch_finish(_statuses, batch_id: int) -> None:
    """The chord's callback: every county's build of the batch has ended."""
    from .services import report_batch_finished

    report_batch_finished(batch_id=batch_id)
