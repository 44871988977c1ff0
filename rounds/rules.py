"""Who may do what with the registry, rounds and people."""

import rules

from monitoring_site.permissions import has_any_role, is_county_reader, is_county_staff

rules.add_perm("rounds.use_app", has_any_role)
rules.add_perm("rounds.view_registry", is_county_reader)
rules.add_perm("rounds.manage_registry", is_county_staff)
rules.add_perm("rounds.view_round", has_any_role)
rules.add_perm("rounds.manage_round", is_county_staff)
rules.add_perm("rounds.view_people", is_county_reader)
rules.add_perm("rounds.manage_people", is_county_staff)
rules.add_perm("rounds.view_audit", is_county_reader)
rules.add_perm("rounds.view_documents", is_county_reader)
rules.add_perm("rounds.request_documents", is_county_staff)
