"""Who may do what with risk deposits: the finance office records payments, letters and
the year's amount, voids a wrong payment and settles the year; the district roles read the
overdue list and the settlement; everyone reads the board (unit staff their own unit)."""

import rules

from common.rules import is_commerce, is_district_wide, is_finance, is_system, without_object_or

deposit_voidable = without_object_or(
    lambda deposit: not deposit.is_voided and not deposit.year.settled, "deposit_voidable"
)

can_oversee_deposits = rules.Predicate(is_district_wide | is_system, name="can_oversee_deposits")
can_record_deposit = rules.Predicate(is_finance | is_system, name="can_record_deposit")
# The workbook's 抵押金 sheet: the commerce bureau keeps the whole district workbook, so its
# import may carry the finance office's payments too (workbook.importer.SHEETS_BY_ROLE).
can_import_deposits = rules.Predicate(can_record_deposit | is_commerce, name="can_import_deposits")
can_void_deposit = rules.Predicate((is_finance | is_system) & deposit_voidable, "can_void_deposit")
can_settle_year = rules.Predicate(is_finance | is_system, name="can_settle_year")

rules.add_perm("deposits.oversee_deposits", can_oversee_deposits)  # overdue, settlement
rules.add_perm("deposits.record_deposit", can_record_deposit)  # payment, letter, amount
rules.add_perm("deposits.import_deposits", can_import_deposits)  # deposit_record (both paths)
rules.add_perm("deposits.void_deposit", can_void_deposit)
rules.add_perm("deposits.settle_year", can_settle_year)  # confirm or reverse
