"""Who may do what with years, quotas and the assessment scheme: the commerce bureau sets
the quotas, the scheme (weights, caps, 加减分) and the reported indicators; the district roles
read the grid; every portal role reads the scheme (a clerk reads its own unit's 加减分)."""

import rules

from common.rules import has_portal_role, is_commerce, is_district_wide, is_system

can_read_quotas = rules.Predicate(is_district_wide | is_system, name="can_read_quotas")
can_edit_quotas = rules.Predicate(is_commerce | is_system, name="can_edit_quotas")
can_read_scheme = rules.Predicate(has_portal_role | is_system, name="can_read_scheme")
can_edit_scheme = rules.Predicate(is_commerce | is_system, name="can_edit_scheme")

rules.add_perm("targets.read_quotas", can_read_quotas)
rules.add_perm("targets.edit_quotas", can_edit_quotas)
rules.add_perm("targets.read_scheme", can_read_scheme)
rules.add_perm("targets.edit_scheme", can_edit_scheme)
# Reported indicators and 加减分 are part of the scheme: the same policy.
rules.add_perm("targets.edit_indicators", can_edit_scheme)
rules.add_perm("targets.edit_adjustments", can_edit_scheme)
