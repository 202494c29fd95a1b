"""Every write to a complaint: a small explicit state machine.

``TRANSITIONS`` names, for each action, the states it starts from; each service locks the
complaint, re-reads it, refuses an action from any other state (a Chinese message), asks the
policy (complaints/rules.py) and writes the change and its timeline event in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.models import CalendarDay, calendar_load_china_2026
from common.permissions import require
from complaints.models import (
    Complaint,
    Event,
    EventKind,
    FollowUp,
    Reply,
    State,
)

# action → (the states it may start from, the permission it asks)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": ((State.RECEIVED,), "complaints.assign"),
    "reply": ((State.ASSIGNED,), "complaints.reply"),
    "close": ((State.REPLIED,), "complaints.close"),
    "follow_up": ((State.CLOSED,), "complaints.follow_up"),
}
ACTION_LABELS = {
    "assign": gettext_lazy("交办"),
    "reply": gettext_lazy("答复"),
    "close": gettext_lazy("办结"),
    "follow_up": gettext_lazy("回访"),
}
RECEIVE_FIELDS = (
    "complainant",
    "phone",
    "contact",
    "enterprise",
    "project",
    "subject",
    "content",
    "channel",
    "received_on",
)


def allowed_actions(complaint: Complaint) -> list[str]:
    """The actions the complaint's state allows (whoever asks)."""
    return [
        action for action, (sources, _perm) in TRANSITIONS.items() if complaint.state in sources
    ]


def deadline_from(day: dt.date) -> dt.date:
    """COMPLAINT_DEADLINE_WORKING_DAYS working days after ``day`` (the listed calendar)."""
    return CalendarDay.objects.add_working_days(day, settings.COMPLAINT_DEADLINE_WORKING_DAYS)


def _begin(complaint: Complaint, action: str, user) -> Complaint:
    """Lock and re-read the complaint; refuse an action its state does not allow, then ask
    the policy. Call inside a transaction."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    sources, perm = TRANSITIONS[action]
    if locked.state not in sources:
        raise ValidationError(
            _("投诉 %(n)s 当前状态为“%(s)s”，不能%(a)s。")
            % {"n": locked.number, "s": locked.get_state_display(), "a": ACTION_LABELS[action]}
        )
    require(user, perm, locked)
    return locked


def _not_before(day: dt.date, earliest: dt.date | None, field: str, message: str) -> None:
    if earliest is not None and day < earliest:
        raise ValidationError({field: message % {"d": earliest.isoformat()}})


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("日期 %(d)s 晚于今天。") % {"d": day.isoformat()}})


def _event(complaint: Complaint, kind: str, on: dt.date, user, note: str = "") -> Event:
    return Event.objects.create(
        complaint=complaint,
        kind=kind,
        on=on,
        by=user if getattr(user, "pk", None) else None,
        unit_id=complaint.unit_id,
        deadline=complaint.deadline if kind in (EventKind.ASSIGNED, EventKind.REOPENED) else None,
        note=note,
    )


def _next_number(year: int) -> str:
    prefix = f"TS{year}-"
    last = (
        Complaint.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{seq:03d}"


@transaction.atomic
def complaint_receive(*, user, data: dict) -> Complaint:
    """The commerce bureau registers a complaint (受理): who, which enterprise, what, how."""
    require(user, "complaints.receive")
    complaint = Complaint(**{field: data[field] for field in RECEIVE_FIELDS if field in data})
    complaint.state = State.RECEIVED
    complaint.created_by = user if getattr(user, "pk", None) else None
    if complaint.received_on:
        complaint.number = _next_number(complaint.received_on.year)
    complaint.full_clean()
    complaint.save()
    _event(complaint, EventKind.RECEIVED, complaint.received_on, user)
    return complaint


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, user, unit, assigned_on: dt.date | None = None, note: str = ""
) -> Complaint:
    """交办: the bureau hands the complaint to a responsible unit; the deadline is
    COMPLAINT_DEADLINE_WORKING_DAYS working days after the day of assignment."""
    complaint = _begin(complaint, "assign", user)
    assigned_on = assigned_on or timezone.localdate()
    _not_future(assigned_on, "assigned_on")
    _not_before(
        assigned_on, complaint.received_on, "assigned_on", _("交办日期不能早于受理日期 %(d)s。")
    )
    if unit is None or not unit.is_active:
        raise ValidationError({"unit": _("请选择一个启用中的责任单位。")})
    complaint.unit = unit
    complaint.assigned_on = assigned_on
    complaint.deadline = deadline_from(assigned_on)
    complaint.state = State.ASSIGNED
    complaint.full_clean()
    complaint.save()
    _event(complaint, EventKind.ASSIGNED, assigned_on, user, note)
    return complaint


def _keep_original_name(reply: Reply) -> None:
    if reply.attachment and not reply.attachment._committed:
        reply.original_name = reply.attachment.name.replace("\\", "/").rsplit("/", 1)[-1][:200]


@transaction.atomic
def complaint_reply(
    *, complaint: Complaint, user, text: str, attachment=None, replied_on: dt.date | None = None
) -> Reply:
    """The responsible unit answers (办理情况), with an optional scan (PDF/JPG/PNG)."""
    complaint = _begin(complaint, "reply", user)
    replied_on = replied_on or timezone.localdate()
    _not_future(replied_on, "replied_on")
    _not_before(
        replied_on, complaint.assigned_on, "replied_on", _("答复日期不能早于交办日期 %(d)s。")
    )
    reply = Reply(
        complaint=complaint,
        unit_id=complaint.unit_id,
        replied_on=replied_on,
        text=(text or "").strip(),
        by=user if getattr(user, "pk", None) else None,
    )
    if attachment:
        reply.attachment = attachment
    _keep_original_name(reply)
    reply.full_clean()
    reply.save()
    complaint.state = State.REPLIED
    complaint.save(update_fields=["state"])
    _event(complaint, EventKind.REPLIED, replied_on, user)
    return reply


@transaction.atomic
def complaint_close(
    *, complaint: Complaint, user, note: str, closed_on: dt.date | None = None
) -> Complaint:
    """办结: the bureau accepts the unit's answer and closes the complaint."""
    complaint = _begin(complaint, "close", user)
    closed_on = closed_on or timezone.localdate()
    _not_future(closed_on, "closed_on")
    _not_before(
        closed_on, complaint.assigned_on, "closed_on", _("办结日期不能早于交办日期 %(d)s。")
    )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写办结意见。")})
    complaint.state = State.CLOSED
    complaint.closed_on = closed_on
    complaint.close_note = note
    complaint.full_clean()
    complaint.save()
    _event(complaint, EventKind.CLOSED, closed_on, user, note)
    return complaint


@transaction.atomic
def complaint_follow_up(
    *, complaint: Complaint, user, visited_on: dt.date, satisfied: bool, note: str = ""
) -> FollowUp:
    """回访: satisfied ends the complaint; not satisfied reopens it to the same unit with a
    new deadline counted from the day of the 回访."""
    complaint = _begin(complaint, "follow_up", user)
    _not_future(visited_on, "visited_on")
    _not_before(
        visited_on, complaint.closed_on, "visited_on", _("回访日期不能早于办结日期 %(d)s。")
    )
    note = (note or "").strip()
    if not satisfied and not note:
        raise ValidationError({"note": _("不满意时请写明投诉人的意见。")})
    followup = FollowUp(
        complaint=complaint,
        visited_on=visited_on,
        satisfied=bool(satisfied),
        note=note,
        by=user if getattr(user, "pk", None) else None,
    )
    followup.full_clean()
    followup.save()
    complaint.last_satisfied = bool(satisfied)
    if satisfied:
        complaint.state = State.VISITED
        kind = EventKind.SATISFIED
    else:
        complaint.state = State.ASSIGNED
        complaint.closed_on = None
        complaint.assigned_on = visited_on
        complaint.deadline = deadline_from(visited_on)
        complaint.reopen_count += 1
        kind = EventKind.REOPENED
    complaint.full_clean()
    complaint.save()
    _event(complaint, kind, visited_on, user, note)
    return followup


@transaction.atomic
def calendar_day_save(*, user, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Add a listed day, or change the listed day of that date."""
    require(user, "complaints.manage_calendar")
    day = CalendarDay.objects.filter(date=date).first() or CalendarDay(date=date)
    day.kind = kind
    day.name = (name or "").strip()
    day.full_clean()
    day.save()
    return day


@transaction.atomic
def calendar_day_delete(*, user, day: CalendarDay) -> None:
    require(user, "complaints.manage_calendar")
    day.delete()


@transaction.atomic
def calendar_load_2026(*, user) -> int:
    """Enter the State Council's 2026 schedule (common.models); returns the days added."""
    require(user, "complaints.manage_calendar")
    return calendar_load_china_2026()
