"""Who may do what with years and quotas: the commerce bureau sets the quotas; the district
roles read the grid."""

import rules

from common.rules import is_commerce, is_district_wide, is_system

can_read_quotas = rules.Predicate(is_district_wide | is_system, name="can_read_quotas")
can_edit_quotas = rules.Predicate(is_commerce | is_system, name="can_edit_quotas")

rules.add_perm("targets.read_quotas", can_read_quotas)
rules.add_perm("targets.edit_quotas", can_edit_quotas)
