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
    CITY_OFFICE = "city_office", _("City supervision office")
    PROVINCE_OFFICE = "province_office", _("Province supervision office")


# Roles whose scope is a set of schools rather than the whole county.
SCHOOL_SCOPED_ROLES = frozenset({Role.INSPECTOR, Role.COORDINATOR, Role.MONITOR})

# Roles scoped to a region (a city's or a province's counties) rather than one county: they read
# their counties side by side, never a student's name, and publish reference values.
REGION_ROLES = frozenset({Role.CITY_OFFICE, Role.PROVINCE_OFFICE})
COUNTY_ROLES = frozenset(set(Role) - REGION_ROLES)
