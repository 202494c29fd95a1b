"""Every write of the finance office: payments, letters, settlements and their reversal.

Money is written once: a second payment or a second live settlement of the same unit and
year is refused here and, underneath, by unique constraints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import stamp
from deposits import settlement as arithmetic
from deposits.models import (
    Deposit,
    EntryKind,
    LedgerEntry,
    Outcome,
    ResponsibilityLetter,
    Settlement,
)
from targets.models import AssessmentYear, Quota
from targets.reports import build_report
from targets.services import year_get_or_create
from units.models import Unit


def owing_units(year: AssessmentYear):
    """Every unit that carries a quota that year owes a deposit."""
    return Unit.objects.filter(quotas__year=year).distinct()


def _refuse_if_settled(year: AssessmentYear) -> None:
    if Settlement.objects.filter(year=year, reversed_at__isnull=True).exists():
        raise ValidationError(_("%(y)d 年已经结算，不能再修改抵押金。") % {"y": year.year})


@transaction.atomic
def deposit_record(
    *,
    year: int,
    unit: Unit,
    amount: Decimal,
    paid_on: dt.date,
    receipt_no: str = "",
    user,
    reason: str = "",
) -> Deposit:
    """Record a unit's payment, with its ledger entry."""
    assessment_year = year_get_or_create(year)
    _refuse_if_settled(assessment_year)
    if not Quota.objects.filter(year=assessment_year, unit=unit).exists():
        raise ValidationError(
            {
                "unit": _("%(unit)s %(y)d 年没有任务，不需要缴纳抵押金。")
                % {"unit": unit.name, "y": year}
            }
        )
    deposit = Deposit(
        year=assessment_year,
        unit=unit,
        amount=amount,
        paid_on=paid_on,
        receipt_no=receipt_no.strip(),
        recorded_by=user,
    )
    deposit.full_clean()
    stamp(deposit, user, reason)
    deposit.save()
    LedgerEntry.objects.create(
        year=assessment_year,
        unit=unit,
        kind=EntryKind.DEPOSIT_IN,
        amount=amount,
        deposit=deposit,
        memo=_("缴纳风险抵押金，票据号 %(r)s") % {"r": deposit.receipt_no or "—"},
        created_by=user,
    )
    return deposit


@transaction.atomic
def deposit_update(
    *,
    deposit: Deposit,
    amount: Decimal,
    paid_on: dt.date,
    receipt_no: str = "",
    user,
    reason: str = "",
) -> bool:
    """Correct a recorded payment before settlement; a changed amount adds a ledger entry for
    the difference. Returns whether anything changed."""
    deposit = Deposit.objects.select_for_update().get(pk=deposit.pk)
    _refuse_if_settled(deposit.year)
    receipt_no = (receipt_no or "").strip()
    old_amount = deposit.amount
    if (deposit.amount, deposit.paid_on, deposit.receipt_no) == (amount, paid_on, receipt_no):
        return False
    deposit.amount, deposit.paid_on, deposit.receipt_no = amount, paid_on, receipt_no
    deposit.full_clean()
    stamp(deposit, user, reason)
    deposit.save()
    if amount != old_amount:
        LedgerEntry.objects.create(
            year=deposit.year,
            unit=deposit.unit,
            kind=EntryKind.DEPOSIT_IN,
            amount=amount - old_amount,
            deposit=deposit,
            memo=_("更正缴纳金额 %(old)s → %(new)s") % {"old": old_amount, "new": amount},
            created_by=user,
        )
    return True


@transaction.atomic
def letter_record(*, year: int, unit: Unit, signed_on: dt.date, scan=None, user):
    assessment_year = year_get_or_create(year)
    letter = ResponsibilityLetter(year=assessment_year, unit=unit, signed_on=signed_on)
    if scan:
        letter.scan = scan
    letter.full_clean()
    stamp(letter, user)
    letter.save()
    return letter


# --- settlement ------------------------------------------------------------------------


@dataclass
class Line:
    unit: Unit
    amounts: arithmetic.Amounts
    figures: dict = field(default_factory=dict)

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.amounts.outcome).label)


def check_year_ended(year: int) -> None:
    if timezone.localdate() <= dt.date(year, 12, 31):
        raise ValidationError(
            _("%(y)d 年还没有结束，年终结算要到 %(next)d 年 1 月 1 日以后才能进行。")
            % {"y": year, "next": year + 1}
        )


def settlement_preview(year: int) -> list[Line]:
    """What each unit would get: every owing unit and every unit that paid."""
    check_year_ended(year)
    assessment_year = year_get_or_create(year)
    report = build_report(assessment_year, dt.date(year, 12, 31))
    rows = {row.unit.pk: row for row in report.units}
    paid = {d.unit_id: d.amount for d in Deposit.objects.filter(year=assessment_year)}
    owing = set(owing_units(assessment_year).values_list("pk", flat=True))
    units = Unit.objects.filter(pk__in=owing | set(paid))
    lines = []
    for unit in units:
        row = rows.get(unit.pk)
        quotas, figures = [], {}
        if row is not None:
            for code, cell in row.cells.items():
                if cell.quota is not None:
                    quotas.append((cell.quota, cell.actual))
                    figures[code] = {"quota": f"{cell.quota:.2f}", "actual": f"{cell.actual:.2f}"}
        lines.append(Line(unit, arithmetic.settle(paid.get(unit.pk), quotas), figures))
    return lines


@transaction.atomic
def settle_year(*, year: int, user) -> tuple[list[Settlement], bool]:
    """Record the settlement of every unit for ``year``, with its ledger entries.

    Returns (settlements, created). Confirming a year that is already settled writes
    nothing and returns the recorded settlements with created=False. Two officers confirming
    at once: the year row is locked first, so the second waits, then finds the first's.
    """
    check_year_ended(year)
    assessment_year = AssessmentYear.objects.select_for_update().get(pk=year_get_or_create(year).pk)
    existing = list(live_settlements(assessment_year))
    if existing:
        return existing, False
    settlements = []
    for line in settlement_preview(year):
        a = line.amounts
        settlement = Settlement(
            year=assessment_year,
            unit=line.unit,
            outcome=a.outcome,
            paid_amount=a.paid,
            refund_amount=a.refund,
            bonus_amount=a.bonus,
            forfeit_amount=a.forfeit,
            figures=line.figures,
            settled_by=user,
        )
        stamp(settlement, user)
        settlement.save()
        for kind, amount, memo in (
            (EntryKind.REFUND_OUT, a.refund, _("年终结算：退还抵押金")),
            (EntryKind.BONUS_OUT, a.bonus, _("年终结算：完成任务奖励")),
            (EntryKind.FORFEIT, a.forfeit, _("年终结算：未完成任务，抵押金上缴财政")),
        ):
            if amount:
                LedgerEntry.objects.create(
                    year=assessment_year,
                    unit=line.unit,
                    kind=kind,
                    amount=amount,
                    settlement=settlement,
                    memo=memo,
                    created_by=user,
                )
        settlements.append(settlement)
    return settlements, True


def live_settlements(year: AssessmentYear):
    return (
        Settlement.objects.filter(year=year, reversed_at__isnull=True)
        .select_related("unit")
        .order_by("unit__display_order", "unit__code")
    )


@transaction.atomic
def settlement_reverse(*, year: int, user, reason: str) -> int:
    """Undo a year's settlement: each settlement is marked reversed (and kept), and the
    ledger gets entries of the opposite sign. The year can then be settled again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("冲销结算必须写明原因。")})
    assessment_year = AssessmentYear.objects.select_for_update().get(pk=year_get_or_create(year).pk)
    settlements = list(live_settlements(assessment_year))
    if not settlements:
        raise ValidationError(_("%(y)d 年还没有结算，无需冲销。") % {"y": year})
    now = timezone.now()
    for settlement in settlements:
        for entry in settlement.entries.all():
            LedgerEntry.objects.create(
                year=assessment_year,
                unit=settlement.unit,
                kind=entry.kind,
                amount=-entry.amount,
                settlement=settlement,
                memo=_("冲销：%(reason)s") % {"reason": reason},
                created_by=user,
            )
        settlement.reversed_at = now
        settlement.reversed_by = user
        settlement.reversal_reason = reason
        stamp(settlement, user, reason)
        settlement.save()
    return len(settlements)


def drift(settlement: Settlement, live: Line | None) -> list[str]:
    """Indicators whose live figures no longer match those frozen into the settlement."""
    changed = []
    current = live.figures if live else {}
    for code in sorted(set(settlement.figures) | set(current)):
        if settlement.figures.get(code) != current.get(code):
            changed.append(code)
    return changed
