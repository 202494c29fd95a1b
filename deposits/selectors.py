"""Reads for the deposit board, the overdue list and the settlement page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from deposits import settlement as arithmetic
from deposits.models import Deposit, ResponsibilityLetter, Settlement
from targets.models import AssessmentYear
from units.models import Unit


def board_rows(year: AssessmentYear, user, today: dt.date | None = None) -> list[dict]:
    """One row per unit that owes or paid a deposit for ``year``, as far as ``user`` may see."""
    today = today or timezone.localdate()
    visible = Unit.objects.for_user(user)
    deposits = {d.unit_id: d for d in Deposit.objects.live().filter(year=year, unit__in=visible)}
    letters = {
        letter.unit_id: letter
        for letter in ResponsibilityLetter.objects.filter(year=year, unit__in=visible)
    }
    settled = {
        s.unit_id: s
        for s in Settlement.objects.filter(year=year, reversed_at__isnull=True, unit__in=visible)
    }
    owing = set(
        visible.filter(quotas__year=year, quotas__amount__gt=0).values_list("pk", flat=True)
    )
    units = visible.filter(pk__in=owing | set(deposits)).order_by("display_order", "code")
    rows = []
    for unit in units:
        deposit = deposits.get(unit.pk)
        status = arithmetic.payment_status(
            deposit.paid_on if deposit else None, year.deposit_due_date, today
        )
        letter = letters.get(unit.pk)
        settlement = settled.get(unit.pk)
        rows.append(
            {
                "unit": unit,
                "year": year.year,
                "code": unit.code,
                "name": unit.name,
                "kind": unit.get_kind_display(),
                "status": status,
                "status_label": arithmetic.STATUS_LABELS[status],
                "amount": deposit.amount if deposit else None,
                "paid_on": deposit.paid_on if deposit else None,
                "receipt_no": deposit.receipt_no if deposit else "",
                "deposit_pk": deposit.pk if deposit else None,
                "letter_signed_on": letter.signed_on if letter else None,
                "outcome": settlement.get_outcome_display() if settlement else "",
            }
        )
    return rows


def board_totals(rows: list[dict], expected: Decimal) -> dict:
    paid = [r for r in rows if r["amount"] is not None]
    return {
        "units": len(rows),
        "paid": len(paid),
        "paid_late": sum(1 for r in rows if r["status"] == arithmetic.PAID_LATE),
        "unpaid": len(rows) - len(paid),
        "overdue": sum(1 for r in rows if r["status"] == arithmetic.OVERDUE),
        "amount": sum((r["amount"] for r in paid), Decimal(0)),
        "expected": expected * len(rows),
    }


def voided_deposits(year: AssessmentYear, user) -> list[Deposit]:
    """The year's voided payments, kept with who voided them and why."""
    return list(
        Deposit.objects.for_user(user)
        .filter(year=year, voided_at__isnull=False)
        .select_related("unit", "voided_by")
        .order_by("voided_at", "id")
    )
