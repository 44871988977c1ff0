"""Who may do what in the logistics slice. The school scope (a coordinator's own school, an
inspector's assigned schools) is applied by the selectors; these decide the role."""

import rules

from monitoring_site.permissions import (
    is_coordinator,
    is_county_staff,
    is_inspector,
    is_leader,
    is_monitor,
)

school_side = is_county_staff | is_leader | is_inspector | is_coordinator | is_monitor
readiness_readers = is_county_staff | is_leader | is_inspector | is_coordinator

rules.add_perm("logistics.use_app", school_side)
rules.add_perm("logistics.view_readiness", readiness_readers)
rules.add_perm("logistics.export_readiness", is_county_staff | is_leader | is_inspector)
rules.add_perm("logistics.view_template", readiness_readers)
rules.add_perm("logistics.manage_template", is_county_staff)
rules.add_perm("logistics.view_checklist", readiness_readers)
rules.add_perm("logistics.fill_checklist", is_coordinator)
rules.add_perm("logistics.review_checklist", is_county_staff | is_inspector)
rules.add_perm("logistics.view_school", school_side)
rules.add_perm("logistics.record_staff", is_coordinator | is_county_staff)
rules.add_perm("logistics.record_drill", is_coordinator | is_inspector)
rules.add_perm("logistics.record_attendance", is_coordinator | is_monitor)
rules.add_perm("logistics.record_custody", is_coordinator | is_monitor)
rules.add_perm("logistics.record_incident", is_coordinator | is_monitor | is_inspector)
rules.add_perm("logistics.countersign_incident", is_inspector)
rules.add_perm("logistics.view_incidents", is_county_staff | is_leader | is_inspector)
rules.add_perm("logistics.sync_offline", is_coordinator | is_monitor | is_inspector)
rules.add_perm("logistics.view_sync", is_county_staff | is_leader | is_inspector)
