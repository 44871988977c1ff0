"""Results of a round. The Finding model is defined first because the rectification slice
starts from findings; the results slice (issue 6) grows the rest around it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rounds.models import Domain, Round


class Finding(models.Model):
    """A diagnosed problem with its evidence (value, reference, standard error, schools)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="findings", verbose_name=_("round"))
    rule = models.CharField(_("rule"), max_length=40, blank=True, help_text=_("Empty for a finding added by hand."))
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    title = models.CharField(_("finding"), max_length=200)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    evidence_text = models.TextField(_("evidence"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    dismissed_reason = models.CharField(_("reason for dismissal"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["round", "-created_at"]

    def __str__(self) -> str:
        return self.title
