"""The pure arithmetic of deposits/settlement.py: year-end outcomes and payment status."""

import datetime as dt
from decimal import Decimal as D

import pytest

from deposits import settlement as arithmetic
from deposits.models import Outcome
from deposits.settlement import (
    FORFEIT,
    OVERDUE,
    PAID,
    PAID_LATE,
    REFUND,
    REFUND_AND_BONUS,
    STATUS_LABELS,
    UNPAID,
    UNPAID_STATUS,
    Amounts,
    payment_status,
    quota_met,
    settle,
)

DEPOSIT = D("3000.00")
DUE = dt.date(2025, 4, 15)


# --- quota_met -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quota", "actual", "met"),
    [
        (D("100"), D("100"), True),  # exactly 100%
        (D("100"), D("100.00"), True),
        (D("100"), D("150"), True),
        (D("100"), D("99.99"), False),  # a cent short is not met
        (D("100"), D("0"), False),
        (D("0"), D("0"), True),  # a quota of zero is met by definition
        (D("0"), D("5"), True),
        (D("3"), D("3"), True),  # counts of projects
        (D("3"), D("2"), False),
    ],
)
def test_quota_met_at_one_hundred_percent(quota, actual, met):
    assert quota_met(quota, actual) is met


# --- settle ----------------------------------------------------------------------------


def test_paid_and_every_quota_met_is_refund_and_bonus_equal_to_the_deposit():
    amounts = settle(DEPOSIT, [(D("1000"), D("1200")), (D("4"), D("4"))])
    assert amounts == Amounts(REFUND_AND_BONUS, DEPOSIT, DEPOSIT, DEPOSIT, D(0))
    assert Outcome(amounts.outcome).label == "退还并奖励"


def test_exactly_one_hundred_percent_counts_as_completed():
    amounts = settle(DEPOSIT, [(D("500.00"), D("500.00"))])
    assert amounts.outcome == REFUND_AND_BONUS
    assert (amounts.refund, amounts.bonus, amounts.forfeit) == (DEPOSIT, DEPOSIT, D(0))


def test_one_quota_missed_forfeits_the_deposit():
    amounts = settle(DEPOSIT, [(D("1000"), D("5000")), (D("4"), D("3"))])
    assert amounts == Amounts(FORFEIT, DEPOSIT, D(0), D(0), DEPOSIT)
    assert Outcome(amounts.outcome).label == "没收"


def test_a_cent_short_forfeits():
    amounts = settle(DEPOSIT, [(D("100.00"), D("99.99"))])
    assert amounts.outcome == FORFEIT
    assert amounts.forfeit == DEPOSIT
    assert amounts.refund == amounts.bonus == D(0)


def test_every_quota_missed_forfeits_once():
    amounts = settle(DEPOSIT, [(D("10"), D("0")), (D("20"), D("1"))])
    assert amounts == Amounts(FORFEIT, DEPOSIT, D(0), D(0), DEPOSIT)


@pytest.mark.parametrize("paid", [None, D(0)])
def test_never_paid_gets_nothing_either_way(paid):
    for quotas in ([(D("100"), D("200"))], [(D("100"), D("0"))], []):
        amounts = settle(paid, quotas)
        assert amounts == Amounts(UNPAID, D(0), D(0), D(0), D(0))
    assert Outcome(UNPAID).label == "未缴纳"


def test_paid_without_any_quota_is_refund_only():
    amounts = settle(DEPOSIT, [])
    assert amounts == Amounts(REFUND, DEPOSIT, DEPOSIT, D(0), D(0))
    assert Outcome(amounts.outcome).label == "退还"


def test_quotas_may_be_any_iterable():
    amounts = settle(DEPOSIT, iter([(D("1"), D("1"))]))
    assert amounts.outcome == REFUND_AND_BONUS
    assert settle(DEPOSIT, iter([])).outcome == REFUND


def test_quota_of_zero_alone_is_no_task_refund_only():
    # second release (DOMAIN.md): a quota of zero is no task, so a unit that paid with only
    # zero quotas gets its deposit back and no bonus
    amounts = settle(DEPOSIT, [(D("0"), D("0"))])
    assert amounts.outcome == REFUND
    assert (amounts.refund, amounts.bonus, amounts.forfeit) == (DEPOSIT, D(0), D(0))


def test_quota_of_zero_does_not_rescue_a_missed_quota():
    amounts = settle(DEPOSIT, [(D("0"), D("0")), (D("100"), D("50"))])
    assert amounts.outcome == FORFEIT


def test_the_amounts_follow_what_was_actually_paid():
    odd = D("2999.99")
    assert settle(odd, [(D("1"), D("1"))]) == Amounts(REFUND_AND_BONUS, odd, odd, odd, D(0))
    assert settle(odd, [(D("1"), D("0"))]) == Amounts(FORFEIT, odd, D(0), D(0), odd)
    assert settle(odd, []) == Amounts(REFUND, odd, odd, D(0), D(0))


@pytest.mark.parametrize(
    ("paid", "quotas"),
    [
        (DEPOSIT, [(D("1"), D("1"))]),
        (DEPOSIT, [(D("1"), D("0"))]),
        (DEPOSIT, []),
        (None, [(D("1"), D("1"))]),
        (None, []),
        (D("0.01"), [(D("0"), D("0"))]),
    ],
)
def test_the_money_always_balances(paid, quotas):
    amounts = settle(paid, quotas)
    assert amounts.paid == amounts.refund + amounts.forfeit
    assert not (amounts.refund and amounts.forfeit)  # never both
    # a bonus only for a completed unit, equal to what it paid
    if amounts.outcome == REFUND_AND_BONUS:
        assert amounts.bonus == amounts.paid
    else:
        assert amounts.bonus == 0
    for value in (amounts.paid, amounts.refund, amounts.bonus, amounts.forfeit):
        assert value >= 0


def test_every_outcome_code_is_a_model_choice():
    assert {REFUND_AND_BONUS, FORFEIT, UNPAID, REFUND} == set(Outcome.values)
    assert {str(label) for label in Outcome.labels} == {"退还并奖励", "没收", "未缴纳", "退还"}


def test_amounts_is_immutable():
    amounts = settle(DEPOSIT, [])
    with pytest.raises(AttributeError):
        amounts.refund = D(0)


# --- payment_status --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid_on", "today", "status", "label"),
    [
        (dt.date(2025, 3, 1), dt.date(2025, 3, 2), PAID, "已缴"),
        (dt.date(2025, 4, 15), dt.date(2025, 4, 15), PAID, "已缴"),  # on the due date
        (dt.date(2025, 4, 15), dt.date(2026, 1, 1), PAID, "已缴"),  # stays paid on time
        (dt.date(2025, 4, 16), dt.date(2025, 4, 16), PAID_LATE, "逾期缴纳"),  # one day late
        (dt.date(2025, 12, 31), dt.date(2026, 6, 1), PAID_LATE, "逾期缴纳"),
        (None, dt.date(2025, 1, 1), UNPAID_STATUS, "未缴"),
        (None, dt.date(2025, 4, 15), UNPAID_STATUS, "未缴"),  # the due date itself
        (None, dt.date(2025, 4, 16), OVERDUE, "逾期未缴"),  # the day after
        (None, dt.date(2026, 11, 26), OVERDUE, "逾期未缴"),
    ],
)
def test_payment_status_around_the_due_date(paid_on, today, status, label):
    assert payment_status(paid_on, DUE, today) == status
    assert STATUS_LABELS[status] == label


def test_a_payment_status_does_not_depend_on_today_once_paid():
    for today in (dt.date(2025, 1, 1), DUE, dt.date(2030, 1, 1)):
        assert payment_status(dt.date(2025, 4, 1), DUE, today) == PAID
        assert payment_status(dt.date(2025, 4, 20), DUE, today) == PAID_LATE


def test_every_status_has_a_chinese_label():
    assert arithmetic.STATUS_LABELS == {
        PAID: "已缴",
        PAID_LATE: "逾期缴纳",
        UNPAID_STATUS: "未缴",
        OVERDUE: "逾期未缴",
    }
