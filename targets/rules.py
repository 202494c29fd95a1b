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


# --- reported figures (报送) ---------------------------------------------------------------
# A unit's staff report their own unit's monthly figures (the commerce bureau any unit's);
# only the bureau verifies, returns or takes back a verification; everyone signed in reads
# the figures of the units they see (scoped querysets answer 404 for another unit's).

from common.rules import is_unit_editor, of_own_unit, without_object_or  # noqa: E402
from targets.models import ReportedStatus  # noqa: E402

unit_is_own = of_own_unit(lambda unit: unit.pk, "unit_is_own")
reported_of_own_unit = of_own_unit(lambda figure: figure.unit_id, "reported_of_own_unit")
reported_editable = without_object_or(lambda figure: figure.editable_by_unit, "reported_editable")
reported_pending = without_object_or(
    lambda figure: figure.status == ReportedStatus.PENDING, "reported_pending"
)
reported_verified = without_object_or(
    lambda figure: figure.status == ReportedStatus.VERIFIED, "reported_verified"
)

# object of report_figure: the unit; of the others: the figure.
can_report_figure = rules.Predicate(
    (is_unit_editor & unit_is_own) | is_system, name="can_report_figure"
)
can_edit_reported = rules.Predicate(
    ((is_unit_editor & reported_of_own_unit) | is_system) & reported_editable,
    name="can_edit_reported",
)
can_verify_reported = rules.Predicate(
    (is_commerce | is_system) & reported_pending, name="can_verify_reported"
)
can_unverify_reported = rules.Predicate(
    (is_commerce | is_system) & reported_verified, name="can_unverify_reported"
)

rules.add_perm("targets.report_figure", can_report_figure)
rules.add_perm("targets.edit_reported", can_edit_reported)  # edit, resubmit, delete
rules.add_perm("targets.verify_reported", can_verify_reported)  # verify or return
rules.add_perm("targets.unverify_reported", can_unverify_reported)
