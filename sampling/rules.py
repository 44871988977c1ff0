"""Who may do what with the sample. Names of students: county staff and the school's own
coordinator only (templates ask ``sees_names``); inspectors and monitors see monitoring
IDs; leaders see counts; department users see nothing of the sample."""

import rules

from monitoring_site.permissions import (
    is_coordinator,
    is_county_reader,
    is_county_staff,
    is_inspector,
    is_leader,
    is_monitor,
)

rules.add_perm("sampling.view_sampling", is_county_reader)
rules.add_perm("sampling.manage_sampling", is_county_staff)
rules.add_perm("sampling.view_school_sample", is_county_reader | is_coordinator | is_inspector | is_monitor)
rules.add_perm("sampling.view_students", is_county_staff | is_coordinator | is_inspector | is_monitor)
rules.add_perm("sampling.send_roster", is_county_staff | is_coordinator)
rules.add_perm("sampling.edit_students", is_county_staff | is_coordinator)
rules.add_perm("sampling.print_lists", is_county_staff | is_coordinator)


def sees_names(user) -> bool:
    """Within an already-scoped school: county staff and the school's coordinator."""
    return is_county_staff(user) or is_coordinator(user)


def sees_students(user) -> bool:
    return sees_names(user) or is_inspector(user) or is_monitor(user)


__all__ = ["is_leader", "sees_names", "sees_students"]
