"""Year-end settlement arithmetic and payment status: pure functions, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_noop

ZERO = Decimal(0)

REFUND_AND_BONUS, FORFEIT, UNPAID, REFUND = "refund_bonus", "forfeit", "unpaid", "refund"


@dataclass(frozen=True)
class Amounts:
    outcome: str
    paid: Decimal
    refund: Decimal
    bonus: Decimal
    forfeit: Decimal


def quota_met(quota: Decimal, actual: Decimal) -> bool:
    """A quota is met at 100%; a quota of zero is met by definition."""
    return actual >= quota


def settle(paid: Decimal | None, quotas: Iterable[tuple[Decimal, Decimal]]) -> Amounts:
    """The outcome for one unit from what it paid and its (quota, actual at 31 Dec) pairs.

    退还并奖励: paid and every quota met → refund + an equal bonus;
    没收: paid and a quota missed → forfeit to the treasury;
    未缴纳: never paid → nothing either way;
    退还: paid but no quota that year → refund only.
    A quota of zero is no task: it is left out, so a unit with only zero quotas that paid
    gets 退还.
    """
    quotas = [(quota, actual) for quota, actual in quotas if quota > 0]
    if not paid:
        return Amounts(UNPAID, ZERO, ZERO, ZERO, ZERO)
    if not quotas:
        return Amounts(REFUND, paid, paid, ZERO, ZERO)
    if all(quota_met(quota, actual) for quota, actual in quotas):
        return Amounts(REFUND_AND_BONUS, paid, paid, paid, ZERO)
    return Amounts(FORFEIT, paid, ZERO, ZERO, paid)


PAID, PAID_LATE, UNPAID_STATUS, OVERDUE = "paid", "paid_late", "unpaid", "overdue"
# gettext_noop: plain Chinese values; pages translate them where they show them.
STATUS_LABELS = {
    PAID: gettext_noop("已缴"),
    PAID_LATE: gettext_noop("逾期缴纳"),
    UNPAID_STATUS: gettext_noop("未缴"),
    OVERDUE: gettext_noop("逾期未缴"),
}


def payment_status(paid_on: dt.date | None, due: dt.date, today: dt.date) -> str:
    """已缴 / 逾期缴纳 (paid after the due date) / 未缴 / 逾期未缴 (unpaid after it)."""
    if paid_on is not None:
        return PAID if paid_on <= due else PAID_LATE
    return OVERDUE if today > due else UNPAID_STATUS


def _figure(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def same_figures(frozen: dict | None, live: dict | None) -> bool:
    """Whether two {"quota", "actual"} figures are the same numbers (100.00 == 100)."""
    if frozen is None or live is None:
        return frozen is live
    return all(_figure(frozen.get(k)) == _figure(live.get(k)) for k in ("quota", "actual"))


def shortfall(quota: Decimal | None, actual: Decimal) -> Decimal | None:
    """What is missing to 100% of a positive quota, exactly; None when met or no task."""
    if quota is None or quota <= 0 or actual >= quota:
        return None
    return quota - actual
