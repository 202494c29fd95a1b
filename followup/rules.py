"""Who may do what with 督办单: the commerce bureau opens, closes and sends back; the unit's
own staff reply while it waits for them; every portal role reads (a clerk only their unit's,
through the scoped queryset)."""

import rules

from common.rules import has_portal_role, is_commerce, is_system, is_unit_staff
from followup.models import WAITING_FOR_UNIT, State


@rules.predicate
def of_own_unit(user, supervision) -> bool:
    if supervision is None:
        return True
    return supervision.unit_id == getattr(user, "unit_id", None)


@rules.predicate
def waits_for_unit(user, supervision) -> bool:
    return supervision is None or supervision.state in WAITING_FOR_UNIT


@rules.predicate
def waits_for_bureau(user, supervision) -> bool:
    return supervision is None or supervision.state == State.REPLIED


can_read = rules.Predicate(has_portal_role | is_system, name="followup_can_read")
can_open = rules.Predicate(is_commerce | is_system, name="followup_can_open")
can_reply = rules.Predicate(is_unit_staff & of_own_unit & waits_for_unit, name="can_reply")
can_review = rules.Predicate((is_commerce | is_system) & waits_for_bureau, name="can_review")

rules.add_perm("followup.read", can_read)
rules.add_perm("followup.open", can_open)
rules.add_perm("followup.reply", can_reply)
rules.add_perm("followup.review", can_review)
