"""The document engine: one registry of document kinds, one job that builds any of them.

An app declares its documents in ``<app>/reports.py`` as ``BUILDERS = {kind: DocumentKind}``.
A builder returns the template and context; the engine renders the HTML, turns it into a
PDF in the worker (never in a web request), keeps both, and reports stage and percent.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone, translation

from monitoring_site.audit import audit_record
from monitoring_site.fonts import CjkFontMissing
from monitoring_site.pdf import html_to_pdf

from .models import AuditEvent, Document, Round

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class DocumentKind:
    title: Callable[[Round, str], str]  # (round, subject) → title
    build: Callable[..., tuple[str, dict]]  # build(*, rnd, subject, progress) → (template, context)
    perm: str = "rounds.view_documents"  # who may read it
    request_perm: str = "rounds.request_documents"  # who may request (and retry) it, besides reading it
    # Documents of one subject each (a school's letter or lists): not offered as one button.
    per_subject: bool = False
    # The subjects a user may read, as a queryset of objects whose pk is the subject (a
    # coordinator's own sampled schools); None when the kind's permission is enough.
    subjects: Callable[..., QuerySet] | None = None
    # Students' names in it: each build is recorded in the audit log (views and downloads of
    # every document are recorded anyway).
    holds_names: bool = False


def document_kinds() -> dict[str, DocumentKind]:
    kinds: dict[str, DocumentKind] = {}
    for app in settings.PROJECT_APPS:
        if find_spec(f"{app}.reports") is not None:
            kinds.update(import_module(f"{app}.reports").BUILDERS)
    return kinds


def documents_visible_to(user, rounds: QuerySet[Round], kinds: Iterable[str] | None = None) -> QuerySet[Document]:
    """Documents of these rounds whose kind the user may read, narrowed to the subjects in
    the user's scope for the kinds made per subject (and to ``kinds`` when given: a page
    listing one app's documents need not weigh every other kind)."""
    allowed = Q(pk__in=[])
    for kind, spec in document_kinds().items():
        if (kinds is not None and kind not in kinds) or not user.has_perm(spec.perm):
            continue
        if spec.subjects is None:
            allowed |= Q(kind=kind)
        else:
            keys = spec.subjects(user).annotate(subject_key=Cast("pk", output_field=CharField())).values("subject_key")
            allowed |= Q(kind=kind, subject__in=keys)
    return Document.objects.filter(round__in=rounds).filter(allowed)


def latest_builds(documents: QuerySet[Document]) -> set[int]:
    """The ids of the newest finished build of each kind and subject among ``documents``."""
    newest: dict[tuple[str, str], tuple] = {}
    for pk, kind, subject, created in documents.filter(status=Document.Status.DONE).values_list("pk", "kind", "subject", "created_at"):
        if (kind, subject) not in newest or (created, pk) > newest[kind, subject]:
            newest[kind, subject] = (created, pk)
    return {pk for _created, pk in newest.values()}


def requested_document(request, documents) -> Document | None:
    """The document this page was sent to after its request (``?requested=<pk>``), among those
    the page lists: its note says what its row says, so the two never disagree."""
    pk = request.GET.get("requested", "")
    return next((d for d in documents if str(d.pk) == pk), None) if pk.isdigit() else None


def requested_url(url: str, document: Document) -> str:
    return f"{url}?requested={document.pk}"


def data_version_numbers(documents: QuerySet[Document]) -> dict[int, int]:
    """Each finished build's data version as a person reads it: builds of one kind and subject
    are numbered 1, 2, … in the order their data (the digest of what they show) first appeared,
    so two builds of the same data carry the same number."""
    digests: dict[tuple[str, str], dict[str, int]] = {}
    numbers = {}
    finished = documents.filter(status=Document.Status.DONE).exclude(data_version="").order_by("created_at", "pk")
    for pk, kind, subject, digest in finished.values_list("pk", "kind", "subject", "data_version"):
        seen = digests.setdefault((kind, subject), {})
        numbers[pk] = seen.setdefault(digest, len(seen) + 1)
    return numbers


@transaction.atomic
def document_request(*, rnd: Round, kind: str, subject: str = "", user, language: str = "zh-hans") -> Document:
    """Record the request and queue the build once this transaction commits."""
    from .tasks import document_build

    spec = document_kinds()[kind]
    with translation.override(language):
        title = spec.title(rnd, subject)
    document = Document.objects.create(round=rnd, kind=kind, subject=subject, title=title, created_by=user)
    transaction.on_commit(lambda: document_build.delay(document.pk, language))
    return document


def _progress(document_id: int) -> Progress:
    def report(stage: str, percent: int) -> None:
        Document.objects.filter(pk=document_id).update(stage=stage[:100], progress=max(0, min(100, percent)))

    return report


# The class of the PostgreSQL advisory locks a build holds (its second key is the document's id).
BUILD_LOCK = 9001


@contextmanager
def _build_lock(document_id: int) -> Iterator[None]:
    """Wait for and hold the document's build lock: a PostgreSQL advisory lock of the database
    session, so it is free again the moment its holder stops building, or dies (the server
    ends the session of a killed process and its locks with it). Nothing to hold on SQLite,
    where the one process of the embedded default runs each job inline."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [BUILD_LOCK, document_id])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [BUILD_LOCK, document_id])
        except DatabaseError:
            connection.close()  # the lock goes with the session (the connection is kept otherwise)


def document_build_run(*, document_id: int) -> Document:
    """Build one document, at most once however often its job is delivered.

    Redis hands a job out again when its worker has not acknowledged it within the visibility
    timeout: after the worker was killed, but also while a slow build is still running in a
    live one. So a build first takes the document's lock (``_build_lock``) and then reads the
    row: a finished document (DONE with its PDF and digest, or FAILED: a retry queues it again
    first) is left as it is; a QUEUED one is built; a RUNNING one found with its lock free is
    one whose builder died (a live builder would hold the lock), and is built again in the same
    row. A second delivery of a job still being built waits for the lock and then finds the
    document DONE: it writes nothing, and its result (the same status word) is the one the
    region batch's chord already counts once per job."""
    with _build_lock(document_id):
        document = Document.objects.select_related("round", "round__county", "created_by").get(pk=document_id)
        if document.is_finished:
            return document
        return _build(document)


def _build(document: Document) -> Document:
    Document.objects.filter(pk=document.pk).update(status=Document.Status.RUNNING, attempts=document.attempts + 1, error="")
    report = _progress(document.pk)
    spec = document_kinds()[document.kind]
    report(translation.gettext("Collecting the data"), 5)
    template, context = spec.build(rnd=document.round, subject=document.subject, progress=report)
    context = {**context, "document": document, "round": document.round, "county": document.round.county}
    report(translation.gettext("Typesetting"), 60)
    html = render_to_string(template, context)
    try:
        rendered = html_to_pdf(html)
    except CjkFontMissing as refused:  # no retry: the font will not appear by itself
        document_fail(document_id=document.pk, error=str(refused))
        return Document.objects.get(pk=document.pk)
    report(translation.gettext("Saving"), 95)
    digest = hashlib.sha256(html.encode()).hexdigest()[:12]
    stem = f"{document.kind}-{document.pk}"
    with transaction.atomic():
        if spec.holds_names:
            audit_record(
                user=document.created_by,
                action=AuditEvent.Action.EXPORT,
                obj_type="document",
                obj_id=document.pk,
                summary=translation.gettext("Built: %(title)s") % {"title": document.title},
            )
        document.pdf.save(f"{stem}.pdf", ContentFile(rendered.data), save=False)
        document.html.save(f"{stem}.html", ContentFile(html.encode()), save=False)
        document.size, document.pages, document.data_version = len(rendered.data), rendered.pages, digest
        document.status, document.progress, document.stage = Document.Status.DONE, 100, ""
        document.finished_at = timezone.now()
        document.built_by = f"{socket.gethostname()}:{os.getpid()}"[:120]
        document.attempts += 1
        document.save()
    return document


def document_fail(*, document_id: int, error: str) -> None:
    Document.objects.filter(pk=document_id).update(status=Document.Status.FAILED, error=error[:2000], finished_at=timezone.now())


def document_retry(*, document: Document, language: str = "zh-hans") -> None:
    from .tasks import document_build

    Document.objects.filter(pk=document.pk).update(status=Document.Status.QUEUED, progress=0, stage="", error="")
    transaction.on_commit(lambda: document_build.delay(document.pk, language))
