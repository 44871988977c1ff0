"""Who may do what with questionnaires. Respondents need no account: their code is their key."""

import rules

from monitoring_site.permissions import (
    is_coordinator,
    is_county_reader,
    is_county_staff,
    is_inspector,
    is_leader,
)

rules.add_perm("questionnaires.manage", is_county_staff)
rules.add_perm("questionnaires.view_tracking", is_county_staff | is_leader | is_inspector | is_coordinator)
rules.add_perm("questionnaires.print_slips", is_county_staff | is_coordinator)
rules.add_perm("questionnaires.view_indicators", is_county_reader)
