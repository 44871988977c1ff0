"""Who may do what with results. County staff do everything; leaders read. School-scoped
roles (coordinators, inspectors, monitors) and department users see nothing here: a school's
own results reach it through its quality-analysis letter (a later issue), never beside other
schools'."""

import rules

from monitoring_site.permissions import is_county_reader, is_county_staff

rules.add_perm("results.view_results", is_county_reader)
rules.add_perm("results.manage_results", is_county_staff)
