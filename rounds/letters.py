"""School letters in one go (学校质量分析反馈): one Document per participating sampled school,
built by a Celery ``group`` of ``document_build`` jobs so that the batch spreads over every
worker there is."""

from __future__ import annotations

from celery import group
from django.db import transaction
from django.utils import translation

from .documents import document_kinds
from .models import Document, Round

LETTER = "school_letter"


@transaction.atomic
def school_letters_request(*, rnd: Round, user, language: str = "zh-hans") -> list[Document]:
    """One letter per taking-part sampled school, queued as one group once this transaction
    commits. A school whose letter is still queued or being built keeps that one, so a second
    click makes no duplicate; a finished letter stays as an old version beside the new one."""
    from sampling.selectors import sampled_schools

    from .tasks import document_build

    spec = document_kinds()[LETTER]
    pending = {
        d.subject: d for d in Document.objects.filter(round=rnd, kind=LETTER, status__in=[Document.Status.QUEUED, Document.Status.RUNNING])
    }
    documents, fresh = [], []
    for school in sampled_schools(rnd=rnd).order_by("grade", "serial"):
        subject = str(school.pk)
        if subject in pending:
            documents.append(pending[subject])
            continue
        with translation.override(language):
            title = spec.title(rnd, subject)
        document = Document.objects.create(round=rnd, kind=LETTER, subject=subject, title=title, created_by=user)
        documents.append(document)
        fresh.append(document.pk)
    if fresh:
        job = group(document_build.s(pk, language) for pk in fresh)
        transaction.on_commit(job.apply_async)
    return documents
