"""Who may do what with a region's pages: its city or province supervision office reads its
counties side by side and publishes the reference values they are compared with. County roles
see none of it (their own county's pages are theirs)."""

import rules

from monitoring_site.permissions import is_region_office

rules.add_perm("regions.view_region", is_region_office)
rules.add_perm("regions.publish_references", is_region_office)
rules.add_perm("regions.build_reports", is_region_office)
