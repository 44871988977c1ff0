"""Who may do what with the problem list, the plan, progress and notices.

County staff (the supervision office) own the plan and verify progress; department users
report progress on the items their department leads; leaders read everything, change nothing.
"""

import rules

from monitoring_site.permissions import is_county_reader, is_county_staff, is_department

rules.add_perm("rectification.view_plan", is_county_reader | is_department)
rules.add_perm("rectification.view_problems", is_county_reader)
rules.add_perm("rectification.manage_plan", is_county_staff)
rules.add_perm("rectification.report_progress", is_department)
rules.add_perm("rectification.verify_progress", is_county_staff)
rules.add_perm("rectification.view_notifications", is_county_reader | is_department)
