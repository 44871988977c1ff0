"""The roles a person can hold. Kept apart from the models so every app can import it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_STAFF = "county_staff", _("County monitoring office staff")
    INSPECTOR = "inspector", _("Responsible inspector")
    COORDINATOR = "coordinator", _("School coordinator")
    MONITOR = "monitor", _("Monitor")
    DEPARTMENT = "department", _("Department user")
    LEADER = "leader", _("Leader (read-only)")


# Roles whose scope is a set of schools rather than the whole county.
SCHOOL_SCOPED_ROLES = frozenset({Role.INSPECTOR, Role.COORDINATOR, Role.MONITOR})
