"""督办单 services: open, reply, close, send back. Each checks the policy (followup.rules),
works on the row under a lock (two clicks never both act) and leaves a history record."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.permissions import require
from common.services import stamp
from followup.models import WAITING_FOR_UNIT, Reply, State, Supervision
from followup.people import commerce_staff, unit_clerks
from notifications.api import notify


def _locked(supervision: Supervision) -> Supervision:
    return Supervision.objects.select_for_update().get(pk=supervision.pk)


@transaction.atomic
def supervision_open(
    *, user, unit, matter: str, deadline: dt.date, projects=(), indicators=()
) -> Supervision:
    """The commerce bureau puts a matter to a unit with a deadline (today or later)."""
    require(user, "followup.open")
    matter = (matter or "").strip()
    errors = {}
    if not matter:
        errors["matter"] = _("请写明督办事项。")
    if deadline is None or deadline < timezone.localdate():
        errors["deadline"] = _("办理期限不能早于今天。")
    foreign = [p for p in projects if p.unit_id != unit.pk]
    if foreign:
        errors["projects"] = _("相关项目必须是该单位的项目：%(names)s。") % {
            "names": "、".join(p.name for p in foreign)
        }
    if errors:
        raise ValidationError(errors)
    supervision = Supervision(unit=unit, matter=matter, deadline=deadline, opened_by=user)
    stamp(supervision, user, _("督办"))
    supervision.save()
    supervision.projects.set(projects)
    supervision.indicators.set(indicators)
    notify(
        unit_clerks(unit.pk),
        kind="followup_opened",
        cause=f"followup_opened:{supervision.pk}",
        params={"number": supervision.number, "deadline": deadline.isoformat()},
        url=supervision.get_absolute_url(),
    )
    return supervision


@transaction.atomic
def supervision_reply(*, user, supervision: Supervision, text: str, attachment=None) -> Reply:
    """The unit answers: what it did. The 督办单 then waits for the bureau."""
    supervision = _locked(supervision)
    if supervision.state not in WAITING_FOR_UNIT:
        raise ValidationError(
            _("这份督办单现在不等待单位回复（当前状态：%(state)s）。")
            % {"state": supervision.get_state_display()}
        )
    require(user, "followup.reply", supervision)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请写明办理情况。")})
    reply = Reply(supervision=supervision, text=text, replied_by=user)
    if attachment:
        reply.original_name = (attachment.name or "")[:200]
        reply.attachment = attachment
    reply.full_clean()
    reply.save()
    supervision.state = State.REPLIED
    stamp(supervision, user, _("单位回复"))
    supervision.save()
    notify(
        commerce_staff(),
        kind="followup_replied",
        cause=f"followup_replied:{supervision.pk}:{reply.pk}",
        params={"number": supervision.number},
        url=supervision.get_absolute_url(),
    )
    return reply


def _reviewed(user, supervision: Supervision) -> Supervision:
    supervision = _locked(supervision)
    if supervision.state != State.REPLIED:
        raise ValidationError(
            _("只有已回复的督办单可以办结或退回（当前状态：%(state)s）。")
            % {"state": supervision.get_state_display()}
        )
    require(user, "followup.review", supervision)
    return supervision


@transaction.atomic
def supervision_close(*, user, supervision: Supervision) -> Supervision:
    """The bureau is satisfied with the reply: 已办结."""
    supervision = _reviewed(user, supervision)
    supervision.state = State.CLOSED
    supervision.closed_by = user
    supervision.closed_at = timezone.now()
    stamp(supervision, user, _("办结"))
    supervision.save()
    return supervision


@transaction.atomic
def supervision_return(*, user, supervision: Supervision, reason: str) -> Supervision:
    """The reply is not enough: back to the unit with the reason (退回重办)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须写明原因。")})
    supervision = _reviewed(user, supervision)
    supervision.state = State.RETURNED
    supervision.return_reason = reason[:300]
    stamp(supervision, user, _("退回重办：%(reason)s") % {"reason": reason[:200]})
    supervision.save()
    returns = supervision.history.filter(state=State.RETURNED).count()
    notify(
        unit_clerks(supervision.unit_id),
        kind="followup_returned",
        cause=f"followup_returned:{supervision.pk}:{returns}",
        params={"number": supervision.number, "reason": reason[:100]},
        url=supervision.get_absolute_url(),
    )
    return supervision
