"""Writes of a region's office: the reference values and norms it publishes for its counties,
and a batch of every county's diagnostic report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from monitoring_site.audit import history_user
from monitoring_site.errors import Refused
from results.forms import reference_clashes
from results.models import ReferenceValue
from results.services import reference_row_save, reference_value_save
from rounds.models import Document, Region, Round

from .models import PublishedNorm, ReportBatch

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class PublishRefused(Refused):
    pass


def _lock(region_id: int) -> None:
    """One publication of a region at a time: two of its staff publishing the same value at
    once are taken one after the other, so the second finds the first's (and is told, or
    changes it) instead of meeting the database's unique constraint as an error page."""
    Region.objects.select_for_update().filter(pk=region_id).first()


@transaction.atomic
def region_reference_publish(*, ref: ReferenceValue, user: User) -> ReferenceValue:
    """A city's or province's value for a year: every county of the region is compared with it
    (in place of a value the county typed for the same indicator). Its form checks it is not
    published yet; checked again here, under the region's lock, for one published meanwhile."""
    assert ref.region_id is not None and ref.county_id is None and ref.round_id is None
    _lock(ref.region_id)
    fields = {f: getattr(ref, f) for f in ("source", "year", "domain", "grade", "indicator")}
    if reference_clashes(ReferenceValue.objects.filter(region_id=ref.region_id), fields, ref.pk):
        raise PublishRefused(_("This value is already published for the year: withdraw it first to change it."))
    return reference_value_save(ref=ref, user=user)


@transaction.atomic
def region_norm_publish[P: PublishedNorm](*, norm: P, user: User) -> P:
    """A norm every county of the region uses in place of its own; publishing a key again
    changes the value published (the history keeps the earlier one)."""
    _lock(norm.region_id)
    earlier = type(norm)._default_manager.filter(region=norm.region, **{f: getattr(norm, f) for f in norm.KEY}).first()
    if earlier is not None:
        norm.pk, norm._state = earlier.pk, earlier._state
    return reference_row_save(obj=norm, user=user)


@transaction.atomic
def region_norm_withdraw(*, norm: PublishedNorm, user: User) -> None:
    """The counties use their own value again (never changed meanwhile); kept in the history."""
    history_user(norm, user)
    norm.delete()


COUNTY_REPORT = "county_report"


@transaction.atomic
def report_batch_start(*, region: Region, year: int, user: User, language: str = "zh-hans") -> ReportBatch:
    """One county diagnostic report for every county round of the region in that year, built
    as one Celery group (one ``document_build`` each, spread over the workers) whose chord
    callback records when the batch is done. Each is the very build a county asks for itself
    (``document_request``): same kind, same builder, same data digest."""
    from celery import chord

    from rounds.documents import document_kinds
    from rounds.tasks import document_build

    from .tasks import report_batch_finish

    rounds = list(Round.objects.filter(county__in=region.counties(), year=year).select_related("county").order_by("county__code"))
    if not rounds:
        raise Refused(_("No county of %(region)s has a round in %(year)s.") % {"region": region, "year": year})
    spec = document_kinds()[COUNTY_REPORT]
    batch = ReportBatch.objects.create(region=region, year=year, created_by=user)
    documents = []
    for rnd in rounds:
        with translation.override(language):
            title = spec.title(rnd, "")
        documents.append(Document.objects.create(round=rnd, kind=COUNTY_REPORT, title=title, created_by=user))
    batch.documents.set(documents)
    ids = [d.pk for d in documents]
    transaction.on_commit(lambda: chord(document_build.s(pk, language) for pk in ids)(report_batch_finish.s(batch.pk)))
    return batch


@transaction.atomic
def report_batch_finished(*, batch_id: int) -> None:
    ReportBatch.objects.filter(pk=batch_id, finished_at__isnull=True).update(finished_at=timezone.now())
