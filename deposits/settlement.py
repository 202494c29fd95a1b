"""Year-end settlement arithmetic and payment status: pure functions, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

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
    """
    quotas = list(quotas)
    if not paid:
        return Amounts(UNPAID, ZERO, ZERO, ZERO, ZERO)
    if not quotas:
        return Amounts(REFUND, paid, paid, ZERO, ZERO)
    if all(quota_met(quota, actual) for quota, actual in quotas):
        return Amounts(REFUND_AND_BONUS, paid, paid, paid, ZERO)
    return Amounts(FORFEIT, paid, ZERO, ZERO, paid)


PAID, PAID_LATE, UNPAID_STATUS, OVERDUE = "paid", "paid_late", "unpaid", "overdue"
STATUS_LABELS = {PAID: "已缴", PAID_LATE: "逾期缴纳", UNPAID_STATUS: "未缴", OVERDUE: "逾期未缴"}


def payment_status(paid_on: dt.date | None, due: dt.date, today: dt.date) -> str:
    """已缴 / 逾期缴纳 (paid after the due date) / 未缴 / 逾期未缴 (unpaid after it)."""
    if paid_on is not None:
        return PAID if paid_on <= due else PAID_LATE
    return OVERDUE if today > due else UNPAID_STATUS
