"""Who may do what with responsible units: the commerce bureau keeps the list."""

import rules

from common.rules import is_commerce, is_system

can_manage_units = rules.Predicate(is_commerce | is_system, name="can_manage_units")

rules.add_perm("units.manage_units", can_manage_units)
