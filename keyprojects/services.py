"""Every write to key projects goes through here: keyword-only, atomic, validated, and asking
the same policy (keyprojects/rules.py) as the pages do."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.permissions import require
from common.services import assign_changed, stamp
from keyprojects.models import FollowUp, KeyProject, Milestone, Phase
from projects.models import Project, Stage

KEY_PROJECT_FIELDS = ("is_active", "level", "leader_name", "leader_post", "unit", "note")
PHASE_FIELDS = (
    "number",
    "name",
    "planned_investment",
    "actual_investment",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
)
MILESTONE_FIELDS = ("kind", "title", "due_on")


def _strip(data: dict, *names: str) -> dict:
    return {k: (v.strip() if k in names and isinstance(v, str) else v) for k, v in data.items()}


@transaction.atomic
def key_project_create(
    *,
    user,
    project: Project,
    level: str,
    leader_name: str,
    leader_post: str = "",
    unit=None,
    note: str = "",
    reason: str = "",
) -> KeyProject:
    """Mark ``project`` as a key project (the responsible unit defaults to the project's).
    A project marked before and taken off the list is listed again with the new details."""
    require(user, "keyprojects.manage_key_projects", project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.stage == Stage.WITHDRAWN:
        raise ValidationError(_("已撤回（重复统计）的项目不能列为重点项目。"))
    data = _strip(
        {
            "is_active": True,
            "level": level,
            "leader_name": leader_name,
            "leader_post": leader_post,
            "unit": unit or project.unit,
            "note": note,
        },
        "leader_name",
        "leader_post",
        "note",
    )
    key_project = KeyProject.objects.filter(project=project).first()
    if key_project is not None and key_project.is_active:
        raise ValidationError(_("这个项目已经是重点项目。"))
    if key_project is None:
        key_project = KeyProject(project=project, designated_by=user, **data)
    else:
        assign_changed(key_project, data, KEY_PROJECT_FIELDS)
    key_project.full_clean()
    stamp(key_project, user, reason)
    key_project.save()
    return key_project


@transaction.atomic
def key_project_update(*, user, key_project: KeyProject, data: dict, reason: str = "") -> list:
    """Change a key project's level, 包保领导, responsible unit, note, or take it off the list
    (``is_active`` False). Returns the changed fields (none: nothing written)."""
    current = KeyProject.objects.select_for_update().get(pk=key_project.pk)
    require(user, "keyprojects.manage_key_projects", current)
    changed = assign_changed(current, _strip(data, "leader_name", "leader_post", "note"),
                             KEY_PROJECT_FIELDS)  # fmt: skip
    if not changed:
        return []
    current.full_clean()
    stamp(current, user, reason)
    current.save()
    return changed


def _save(obj, user, reason: str = "") -> None:
    obj.full_clean()
    stamp(obj, user, reason)
    obj.save()


@transaction.atomic
def phase_create(*, user, key_project: KeyProject, data: dict) -> Phase:
    """Add a phase (一期, 二期 …); the phase number is unique within the project."""
    require(user, "keyprojects.manage_key_projects", key_project)
    phase = Phase(key_project=key_project)
    assign_changed(phase, _strip(data, "name"), PHASE_FIELDS)
    _save(phase, user)
    return phase


@transaction.atomic
def phase_update(*, user, phase: Phase, data: dict, reason: str = "") -> list:
    """Change a phase's investment or dates; the history keeps the old figures."""
    current = Phase.objects.select_for_update().get(pk=phase.pk)
    require(user, "keyprojects.manage_key_projects", current)
    changed = assign_changed(current, _strip(data, "name"), PHASE_FIELDS)
    if changed:
        _save(current, user, reason)
    return changed


@transaction.atomic
def milestone_create(*, user, key_project: KeyProject, data: dict) -> Milestone:
    """Add a milestone with its deadline."""
    require(user, "keyprojects.manage_key_projects", key_project)
    milestone = Milestone(key_project=key_project)
    assign_changed(milestone, _strip(data, "title"), MILESTONE_FIELDS)
    _save(milestone, user)
    return milestone


@transaction.atomic
def milestone_update(*, user, milestone: Milestone, data: dict, reason: str = "") -> list:
    """Change a milestone's kind, description or deadline (a moved deadline needs a reason:
    it changes what counts as overdue)."""
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    require(user, "keyprojects.manage_key_projects", current)
    old_due = current.due_on
    changed = assign_changed(current, _strip(data, "title"), MILESTONE_FIELDS)
    if "due_on" in changed and not (reason or "").strip():
        raise ValidationError(
            {"reason": _("计划完成日期原为 %(d)s；调整它必须写明原因。") % {"d": old_due}}
        )
    if changed:
        _save(current, user, reason)
    return changed


@transaction.atomic
def milestone_complete(*, user, milestone: Milestone, done_on: dt.date | None) -> Milestone:
    """Mark a milestone done on ``done_on`` (not in the future), or undo it with ``None``."""
    current = (
        Milestone.objects.select_for_update().select_related("key_project").get(pk=milestone.pk)
    )
    require(user, "keyprojects.complete_milestone", current)
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError({"done_on": _("实际完成日期不能晚于今天。")})
    current.done_on = done_on
    current.done_by = user if done_on else None
    _save(current, user)
    return current


@transaction.atomic
def follow_up_add(
    *, user, key_project: KeyProject, happened_on: dt.date, summary: str, next_step: str = ""
) -> FollowUp:
    """Add an entry to the follow-up log; entries are never edited (a correction is a new
    entry), so the log reads as it was written."""
    require(user, "keyprojects.log_follow_up", key_project)
    entry = FollowUp(
        key_project=key_project,
        happened_on=happened_on,
        author=user,
        summary=(summary or "").strip(),
        next_step=(next_step or "").strip(),
    )
    entry.full_clean()
    entry.save()
    return entry
