"""A batch of county reports a region's office asked for at once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Document, Region


class ReportBatch(models.Model):
    """Every county's diagnostic report of a year, built as one Celery group; the chord's
    callback sets ``finished_at`` when the last one is done (built or failed)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="report_batches", verbose_name=_("region"))
    year = models.PositiveIntegerField(_("year"))
    documents = models.ManyToManyField(Document, related_name="+", verbose_name=_("documents"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch of county reports")
        verbose_name_plural = _("batches of county reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"
