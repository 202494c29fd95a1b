"""Who may do what in keyprojects: django-rules predicates that views, templates and services
ask alike.

The commerce bureau designates key projects and keeps everything about them (level, 包保领导,
responsible unit, phases, milestones); the responsible unit's clerks add follow-up entries and
mark milestones done for their own unit's key projects; finance and leadership read.
"""

import rules

from common.rules import is_commerce, is_system, is_unit_staff, of_own_unit

key_project_of_own_unit = of_own_unit(lambda kp: kp.unit_id, "key_project_of_own_unit")
milestone_of_own_unit = of_own_unit(
    lambda milestone: milestone.key_project.unit_id, "milestone_of_own_unit"
)

# The bureau's own work (object: the project, the key project, a phase or a milestone).
can_manage_key_projects = rules.Predicate(is_commerce | is_system, name="can_manage_key_projects")
# The follow-up log (object: the key project).
can_log_follow_up = rules.Predicate(
    is_commerce | is_system | (is_unit_staff & key_project_of_own_unit), name="can_log_follow_up"
)
# Marking a milestone done (object: the milestone).
can_complete_milestone = rules.Predicate(
    is_commerce | is_system | (is_unit_staff & milestone_of_own_unit),
    name="can_complete_milestone",
)

rules.add_perm("keyprojects.manage_key_projects", can_manage_key_projects)
rules.add_perm("keyprojects.log_follow_up", can_log_follow_up)
rules.add_perm("keyprojects.complete_milestone", can_complete_milestone)
