"""A payment recorded while the settlement is being confirmed is either in that settlement or
refused, never lost between them: ``deposit_record`` takes the same row lock on the year as
``settle_year``. Proven with two sessions at once on PostgreSQL (SQLite has no row locks:
it serialises whole transactions, so there is nothing to prove there)."""

import datetime as dt
import threading
import time
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from deposits import services
from deposits.models import Deposit, EntryKind, LedgerEntry, Outcome, Settlement
from targets.models import AssessmentYear, Indicator
from targets.services import quotas_save

YEAR = 2025
ON_POSTGRES = connection.vendor == "postgresql"

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: row locks across connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def year_with_a_debtor(unit_a, unit_b, finance):
    """A owes (quota 100, nothing arrived) and has not paid; B paid already."""
    fdi = Indicator.objects.get(code="fdi_actual")
    quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, fdi.pk): D("100"), (unit_b.pk, fdi.pk): D("100")},
        district_values={},
    )
    services.deposit_record(
        year=YEAR, unit=unit_b, amount=D("3000"), paid_on=dt.date(YEAR, 4, 1), user=finance
    )
    return unit_a


def _run(*targets):
    errors = []

    def wrap(target):
        def run():
            try:
                target()
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                connections.close_all()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def _deposit_ledger(unit) -> D:
    return LedgerEntry.objects.filter(unit=unit, kind=EntryKind.DEPOSIT_IN).aggregate(
        s=Sum("amount")
    )["s"] or D(0)


def test_a_payment_during_confirmation_is_refused(year_with_a_debtor, finance, monkeypatch):
    """The settlement holds the year's lock while it computes; the payment waits for it, then
    finds the year settled and is refused. The settlement's 未缴纳 is the truth."""
    unit = year_with_a_debtor
    settling = threading.Event()
    real_preview = services._preview

    def slow_preview(year):
        lines = real_preview(year)
        settling.set()
        time.sleep(1.0)  # the payment arrives now, while the lock is held
        return lines

    monkeypatch.setattr(services, "_preview", slow_preview)
    refused = []

    def settle():
        services.settle_year(year=YEAR, user=finance)

    def pay():
        assert settling.wait(timeout=20)
        try:
            services.deposit_record(
                year=YEAR, unit=unit, amount=D("3000"), paid_on=dt.date(YEAR, 12, 1), user=finance
            )
        except ValidationError as error:
            refused.append(error.messages)

    assert _run(settle, pay) == []
    assert refused == [[services.settled_message(YEAR)]]
    settlement = Settlement.objects.get(unit=unit, reversed_at__isnull=True)
    assert settlement.outcome == Outcome.UNPAID
    assert not Deposit.objects.filter(unit=unit).exists()
    assert _deposit_ledger(unit) == 0
    assert AssessmentYear.objects.get(year=YEAR).settled is True


def test_a_payment_that_holds_the_lock_first_is_in_the_settlement(
    year_with_a_debtor, finance, monkeypatch
):
    """The payment takes the year's lock first; the confirmation waits for it and then
    settles the payment (forfeited: A's quota was missed), never 未缴纳 0.00."""
    unit = year_with_a_debtor
    paying = threading.Event()
    real_check = services._refuse_unless_owing

    def slow_check(year, unit_):
        real_check(year, unit_)
        paying.set()
        time.sleep(1.0)  # the confirmation arrives now, while the lock is held

    monkeypatch.setattr(services, "_refuse_unless_owing", slow_check)

    def pay():
        services.deposit_record(
            year=YEAR, unit=unit, amount=D("3000"), paid_on=dt.date(YEAR, 12, 1), user=finance
        )

    def settle():
        assert paying.wait(timeout=20)
        services.settle_year(year=YEAR, user=finance)

    assert _run(pay, settle) == []
    settlement = Settlement.objects.get(unit=unit, reversed_at__isnull=True)
    assert settlement.outcome == Outcome.FORFEIT
    assert settlement.paid_amount == settlement.forfeit_amount == D("3000.00")
    assert _deposit_ledger(unit) == D("3000.00")
    # every yuan paid in is refunded or forfeited
    paid_in = LedgerEntry.objects.filter(kind=EntryKind.DEPOSIT_IN).aggregate(s=Sum("amount"))
    out = LedgerEntry.objects.filter(kind__in=(EntryKind.REFUND_OUT, EntryKind.FORFEIT)).aggregate(
        s=Sum("amount")
    )
    assert paid_in["s"] == out["s"] == D("6000.00")


def test_a_void_during_confirmation_is_refused(year_with_a_debtor, unit_b, finance, monkeypatch):
    """Voiding takes the same lock: B's payment stays as settled."""
    settling = threading.Event()
    real_preview = services._preview

    def slow_preview(year):
        lines = real_preview(year)
        settling.set()
        time.sleep(1.0)
        return lines

    monkeypatch.setattr(services, "_preview", slow_preview)
    deposit = Deposit.objects.get(unit=unit_b)
    refused = []

    def settle():
        services.settle_year(year=YEAR, user=finance)

    def void():
        assert settling.wait(timeout=20)
        try:
            services.deposit_void(deposit=deposit, user=finance, reason="误收")
        except ValidationError as error:
            refused.append(error.messages)

    assert _run(settle, void) == []
    assert refused == [[services.settled_message(YEAR)]]
    assert Deposit.objects.get(pk=deposit.pk).voided_at is None
    assert Settlement.objects.get(unit=unit_b).paid_amount == D("3000.00")
