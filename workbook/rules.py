"""Who may import the workbook: the roles that do casework (which sheets each may import is
the importer's SHEETS_BY_ROLE), and the command line; leadership only reads."""

import rules

from common.rules import is_caseworker, is_system

can_import_workbook = rules.Predicate(is_caseworker | is_system, name="can_import_workbook")

rules.add_perm("workbook.import_workbook", can_import_workbook)
