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

from common.bulk import CREATED, UNCHANGED, BulkItem
from common.permissions import require
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
from targets.models import MAX_YEAR, MIN_YEAR, AssessmentYear
from targets.reports import build_report
from targets.selectors import deposit_quotas
from targets.services import year_get_or_create, year_lock
from units.models import Unit


def owing_units(year: AssessmentYear):
    """A unit owes a deposit iff it carries a positive quota that year on an indicator that
    decides the deposit (the year's scheme says which). A quota of zero is no task."""
    return Unit.objects.filter(pk__in=deposit_quotas(year.year).values("unit_id"))


def settled_message(year: int) -> str:
    return _(
        "%(y)d 年的风险抵押金已经结算，该年度的抵押金已锁定，不能再登记或作废；"
        "确需更改，请财政局先冲销结算（写明原因）。"
    ) % {"y": year}


def _refuse_if_settled(year: AssessmentYear) -> None:
    """``year`` must have been read under its row lock (``year_lock``): the flag is set and
    cleared under the same lock, so the answer holds until this transaction ends."""
    if year.settled:
        raise ValidationError(settled_message(year.year))


def _refuse_unless_owing(year: AssessmentYear, unit: Unit) -> None:
    if not owing_units(year).filter(pk=unit.pk).exists():
        raise ValidationError(
            {
                "unit": _("%(unit)s %(y)d 年没有任务，不需要缴纳抵押金。")
                % {"unit": unit.name, "y": year.year}
            }
        )


def _refuse_wrong_amount(year: AssessmentYear, amount: Decimal) -> None:
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于 0。")})
    if amount != year.deposit_amount:
        raise ValidationError(
            {
                "amount": _(
                    "%(y)d 年的风险抵押金是 %(due)s 元，缴纳金额 %(a)s 元不符；"
                    "请核对票据后按 %(due)s 元登记。"
                )
                % {"y": year.year, "due": year.deposit_amount, "a": amount}
            }
        )


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
    """Record a unit's payment, with its ledger entry.

    Takes the year's row lock, the same lock ``settle_year`` holds while it confirms: a
    payment is either in that settlement (recorded first) or refused (the year is settled).
    The payment page asks ``deposits.record_deposit``; this service is also the workbook
    import's, whose wider rule is ``deposits.import_deposits``.
    """
    require(user, "deposits.import_deposits")
    assessment_year = year_lock(year)
    _refuse_if_settled(assessment_year)
    _refuse_unless_owing(assessment_year, unit)
    if amount is not None:
        _refuse_wrong_amount(assessment_year, amount)
    if Deposit.objects.live().filter(year=assessment_year, unit=unit).exists():
        raise ValidationError({"unit": _("该单位本年度的抵押金已经登记过，不能重复缴纳。")})
    deposit = Deposit(
        year=assessment_year,
        unit=unit,
        amount=amount,
        paid_on=paid_on,
        receipt_no=(receipt_no or "").strip(),
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


def deposit_bulk_record(*, items: list[BulkItem], user, reason: str = "") -> list[BulkItem]:
    """Record a batch of payments by the rules of :func:`deposit_record`.

    ``data``: year (int), unit, amount, paid_on, receipt_no. A payment is never edited in
    place: a row equal to the recorded payment is 未变 (also in a settled year); other values
    are refused until finance voids the recorded one.
    """
    years = {item.data["year"] for item in items}
    units = {item.data["unit"].pk for item in items}
    live = {
        (d.year.year, d.unit_id): d
        for d in Deposit.objects.live()
        .filter(year__year__in=years, unit_id__in=units)
        .select_related("year")
    }
    for item in items:
        data = dict(item.data, receipt_no=(item.data.get("receipt_no") or "").strip())
        if data["amount"] is not None and data["amount"] <= 0:
            item.refuse("amount", _("金额必须大于 0。"))
            continue
        item.current = live.get((data["year"], data["unit"].pk))
        if item.current is not None:
            _compare_recorded(item, data)
            continue
        try:
            with transaction.atomic():
                item.obj = deposit_record(**data, user=user, reason=reason)
                item.action = CREATED
        except ValidationError as error:
            item.refuse_all(error)
    return items


def _compare_recorded(item: BulkItem, data: dict) -> None:
    current = item.current
    if (current.amount, current.paid_on, current.receipt_no) == (
        data["amount"],
        data["paid_on"],
        data["receipt_no"],
    ):
        item.obj, item.action = current, UNCHANGED
        return
    item.refuse(
        "amount",
        _(
            "%(y)d 年 %(unit)s 的抵押金已登记（%(a)s 元，%(d)s，票据号 %(r)s），"
            "与本行不同：已登记，请财政局作废后重新登记"
        )
        % {
            "y": data["year"],
            "unit": data["unit"].name,
            "a": current.amount,
            "d": current.paid_on.isoformat(),
            "r": current.receipt_no or "—",
        },
    )


@transaction.atomic
def deposit_void(*, deposit: Deposit, user, reason: str) -> Deposit:
    """Void a wrong payment (作废) with a reason: the record is kept, marked void, and the
    ledger gets an entry of the opposite sign. The right payment is then recorded again."""
    require(user, "deposits.void_deposit")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("作废缴纳记录必须写明原因。")})
    assessment_year = year_lock(deposit.year.year)
    deposit = Deposit.objects.select_for_update().select_related("unit").get(pk=deposit.pk)
    _refuse_if_settled(assessment_year)
    if deposit.voided_at is not None:
        raise ValidationError(
            _("这笔缴纳记录已于 %(t)s 作废，不能再次作废。")
            % {"t": timezone.localtime(deposit.voided_at).strftime("%Y-%m-%d %H:%M")}
        )
    deposit.voided_at, deposit.voided_by, deposit.void_reason = timezone.now(), user, reason
    deposit.full_clean()
    stamp(deposit, user, _("作废：%(r)s") % {"r": reason})
    deposit.save()
    LedgerEntry.objects.create(
        year=assessment_year,
        unit=deposit.unit,
        kind=EntryKind.DEPOSIT_IN,
        amount=-deposit.amount,
        deposit=deposit,
        memo=_("作废缴纳记录（票据号 %(r)s）：%(reason)s")
        % {"r": deposit.receipt_no or "—", "reason": reason},
        created_by=user,
    )
    return deposit


@transaction.atomic
def deposit_amount_set(*, year: int, amount: Decimal, user, reason: str = "") -> bool:
    """Set the year's deposit amount; refused once a payment of that year is recorded.
    Returns whether anything changed."""
    require(user, "deposits.record_deposit")
    assessment_year = year_lock(year)
    if assessment_year.deposit_amount == amount:
        return False
    _refuse_if_settled(assessment_year)
    if amount is None or amount <= 0:
        raise ValidationError({"deposit_amount": _("风险抵押金金额必须大于 0。")})
    if Deposit.objects.live().filter(year=assessment_year).exists():
        raise ValidationError(
            {
                "deposit_amount": _(
                    "%(y)d 年已经登记了抵押金缴纳，金额（%(a)s 元）不能再改；"
                    "确需更改，请先作废该年度的全部缴纳记录。"
                )
                % {"y": year, "a": assessment_year.deposit_amount}
            }
        )
    assessment_year.deposit_amount = amount
    assessment_year.full_clean()
    stamp(assessment_year, user, reason)
    assessment_year.save(update_fields=["deposit_amount"])
    return True


@transaction.atomic
def letter_record(*, year: int, unit: Unit, signed_on: dt.date, scan=None, user):
    require(user, "deposits.record_deposit")
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
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年度 %(year)s 无效，应在 %(min)d–%(max)d 之间。")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    if timezone.localdate() <= dt.date(year, 12, 31):
        raise ValidationError(
            _("%(y)d 年还没有结束，年终结算要到 %(next)d 年 1 月 1 日以后才能进行。")
            % {"y": year, "next": year + 1}
        )


def _preview(assessment_year: AssessmentYear | None) -> list[Line]:
    if assessment_year is None:
        return []  # a year nobody ever referred to: nobody owes, nobody paid
    year = assessment_year.year
    report = build_report(assessment_year, dt.date(year, 12, 31))
    rows = {row.unit.pk: row for row in report.units}
    paid = {d.unit_id: d.amount for d in Deposit.objects.live().filter(year=assessment_year)}
    owing = set(owing_units(assessment_year).values_list("pk", flat=True))
    units = Unit.objects.filter(pk__in=owing | set(paid))
    deciding = report.deposit_codes  # the year's scheme: which indicators decide
    lines = []
    for unit in units:
        row = rows.get(unit.pk)
        quotas, figures = [], {}
        if row is not None:
            for code, cell in row.cells.items():
                # A quota of zero is no task: it neither decides nor shows.
                if code in deciding and cell.quota is not None and cell.quota > 0:
                    quotas.append((cell.quota, cell.actual))
                    figures[code] = {"quota": str(cell.quota), "actual": str(cell.actual)}
        lines.append(Line(unit, arithmetic.settle(paid.get(unit.pk), quotas), figures))
    return lines


def settlement_preview(year: int) -> list[Line]:
    """What each unit would get: every unit that owes, and every unit holding a live
    payment. Reads only: not even the year's row is created."""
    check_year_ended(year)
    return _preview(AssessmentYear.objects.filter(year=year).first())


@transaction.atomic
def settle_year(*, year: int, user) -> tuple[list[Settlement], bool]:
    """Record the settlement of every unit for ``year``, with its ledger entries, and lock
    the year (``AssessmentYear.settled``) in the same transaction, under its row lock.

    Returns (settlements, created). Confirming a year that is already settled writes
    nothing and returns the recorded settlements with created=False. Whoever else takes
    the year's lock (a second confirmation, a payment, a quota change) waits for this one
    and then sees the year settled.
    """
    require(user, "deposits.settle_year")
    check_year_ended(year)
    assessment_year = year_lock(year)
    existing = list(live_settlements(assessment_year))
    if existing:
        if not assessment_year.settled:  # settled before the flag existed
            assessment_year.settled = True
            assessment_year.save(update_fields=["settled"])
        return existing, False
    settlements = []
    for line in _preview(assessment_year):
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
    assessment_year.settled = True
    stamp(assessment_year, user, _("年终结算，锁定任务与抵押金"))
    assessment_year.save(update_fields=["settled"])
    return settlements, True


def live_settlements(year: AssessmentYear):
    return (
        Settlement.objects.filter(year=year, reversed_at__isnull=True)
        .select_related("unit")
        .order_by("unit__display_order", "unit__code")
    )


@transaction.atomic
def settlement_reverse(*, year: int, user, reason: str) -> int:
    """Undo a year's settlement: each settlement is marked reversed (and kept), the ledger
    gets entries of the opposite sign, and the year's lock is lifted. The year can then be
    corrected and settled again."""
    require(user, "deposits.settle_year")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("冲销结算必须写明原因。")})
    assessment_year = year_lock(year)
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
    assessment_year.settled = False
    stamp(assessment_year, user, _("冲销结算，解除锁定：%(r)s") % {"r": reason})
    assessment_year.save(update_fields=["settled"])
    return len(settlements)


def drift(settlement: Settlement, live: Line | None) -> list[str]:
    """Indicators whose live figures no longer match those frozen into the settlement
    (compared as numbers: 100.00 and 100 are the same figure)."""
    changed = []
    current = live.figures if live else {}
    for code in sorted(set(settlement.figures) | set(current)):
        if not arithmetic.same_figures(settlement.figures.get(code), current.get(code)):
            changed.append(code)
    return changed
