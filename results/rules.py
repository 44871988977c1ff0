"""Who may do what with results. County staff do everything; leaders read. School-scoped
roles (coordinators, inspectors, monitors) and department users see nothing here: a school's
own results reach its coordinator through its quality-analysis letter, never beside other
schools'."""

import rules

from monitoring_site.permissions import is_coordinator, is_county_reader, is_county_staff

rules.add_perm("results.view_results", is_county_reader)
rules.add_perm("results.manage_results", is_county_staff)
rules.add_perm("results.view_school_letter", is_county_reader | is_coordinator)
