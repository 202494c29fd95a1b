"""Who may do what with projects, inflows and promotion events.

A unit's staff register and edit their own unit's projects and money, the commerce bureau
any unit's; only the bureau verifies, returns, corrects and voids money, settles 重复统计,
keeps promotion events and sets a year's home province.
"""

import rules

from common.rules import (
    is_commerce,
    is_system,
    is_unit_editor,
    of_own_unit,
    without_object_or,
)
from projects.models import InflowStatus

project_of_own_unit = of_own_unit(lambda project: project.unit_id, "project_of_own_unit")
inflow_of_own_unit = of_own_unit(lambda inflow: inflow.project.unit_id, "inflow_of_own_unit")
inflow_editable = without_object_or(lambda inflow: inflow.editable_by_unit, "inflow_editable")
inflow_pending = without_object_or(
    lambda inflow: inflow.status == InflowStatus.PENDING, "inflow_pending"
)
inflow_verified = without_object_or(
    lambda inflow: inflow.status == InflowStatus.VERIFIED, "inflow_verified"
)

# A project (object: the project).
can_create_project = rules.Predicate(is_unit_editor | is_system, name="can_create_project")
can_edit_project = rules.Predicate(
    (is_unit_editor & project_of_own_unit) | is_system, name="can_edit_project"
)
# Money (object of record_inflow: the project; of the others: the inflow).
can_record_inflow = rules.Predicate(
    (is_unit_editor & project_of_own_unit) | is_system, name="can_record_inflow"
)
can_edit_inflow = rules.Predicate(
    ((is_unit_editor & inflow_of_own_unit) | is_system) & inflow_editable, name="can_edit_inflow"
)
can_verify_inflow = rules.Predicate((is_commerce | is_system) & inflow_pending, "can_verify_inflow")
can_correct_inflow = rules.Predicate(
    (is_commerce | is_system) & inflow_verified, name="can_correct_inflow"
)
# The bureau's own work.
can_resolve_duplicates = rules.Predicate(is_commerce | is_system, name="can_resolve_duplicates")
can_manage_events = rules.Predicate(is_commerce | is_system, name="can_manage_events")
can_set_home_province = rules.Predicate(is_commerce | is_system, name="can_set_home_province")

rules.add_perm("projects.create_project", can_create_project)
rules.add_perm("projects.edit_project", can_edit_project)
rules.add_perm("projects.record_inflow", can_record_inflow)
rules.add_perm("projects.edit_inflow", can_edit_inflow)  # edit, resubmit, delete
rules.add_perm("projects.verify_inflow", can_verify_inflow)  # verify or return
rules.add_perm("projects.correct_inflow", can_correct_inflow)  # correct or void
rules.add_perm("projects.resolve_duplicates", can_resolve_duplicates)
rules.add_perm("projects.manage_events", can_manage_events)
rules.add_perm("projects.set_home_province", can_set_home_province)
