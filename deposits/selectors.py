"""Reads for the deposit board, the overdue list, the settlement page and sheet, and the
``settle_deposits`` command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from deposits import services
from deposits import settlement as arithmetic
from deposits.models import Deposit, ResponsibilityLetter, Settlement
from targets.models import AssessmentYear, Indicator
from targets.selectors import deposit_quotas
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
        visible.filter(pk__in=deposit_quotas(year.year).values("unit_id")).values_list(
            "pk", flat=True
        )
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


# --- settlement ------------------------------------------------------------------------

SHEET_HEADER = ["单位编码", "单位名称", "结果", "缴纳金额", "退还金额", "奖励金额", "没收金额"]


def settlement_sheet_rows(settlements) -> list[list]:
    """One row per recorded settlement, in ``SHEET_HEADER``'s columns: what the treasury's
    settlement sheet and ``settle_deposits --confirm`` list."""
    return [
        [
            s.unit.code,
            s.unit.name,
            s.get_outcome_display(),
            s.paid_amount,
            s.refund_amount,
            s.bonus_amount,
            s.forfeit_amount,
        ]
        for s in settlements
    ]


TREASURY_HEADER = [
    "单位编码",
    "单位名称",
    "结果",
    "缴纳金额（元）",
    "退还金额（元）",
    "奖励金额（元）",
    "没收金额（元）",
]


def treasury_sheet_rows(settlements) -> list[list]:
    """The settlement sheet for the treasury (``TREASURY_HEADER``): one row per unit, the
    totals, the check that what was paid is refunded or forfeited, and a signature block."""
    rows = settlement_sheet_rows(settlements)
    totals = [sum((r[i] for r in rows), Decimal(0)) for i in range(3, 7)]
    rows.append(["", _("合计"), "", *totals])
    rows.append([])
    rows.append(
        [
            "",
            _("缴纳合计 = 退还合计 + 没收合计："),
            f"{totals[0]:.2f} = {totals[1]:.2f} + {totals[3]:.2f}",
        ]
    )
    rows.append([])
    for label in (
        _("经办人（签字）："),
        _("复核人（签字）："),
        _("财政局负责人（签字）："),
        _("日期："),
    ):
        rows.append(["", label, ""])
    return rows


def preview_sheet_rows(lines) -> list[list]:
    """One row per previewed line (``services.settlement_preview``), in ``SHEET_HEADER``'s
    columns: what ``settle_deposits`` without ``--confirm`` lists."""
    return [
        [
            line.unit.code,
            line.unit.name,
            line.outcome_label,
            line.amounts.paid,
            line.amounts.refund,
            line.amounts.bonus,
            line.amounts.forfeit,
        ]
        for line in lines
    ]


def settlement_figure_rows(frozen: dict, live: dict | None, indicators: dict) -> list[dict]:
    """One row per indicator with a positive quota: quota, actual, the exact shortfall
    ("差 0.07 万美元", rounded once, when shown) and the live actual where it drifted."""
    rows = []
    for code, figures in frozen.items():
        indicator = indicators.get(code)
        quota, actual = Decimal(figures["quota"]), Decimal(figures["actual"])
        now = (live or {}).get(code)
        drifted = now and not arithmetic.same_figures(figures, now)
        rows.append(
            {
                "name": indicator.label if indicator else code,
                "indicator": indicator,  # the template shows counts as integers (qty)
                "measure": indicator.measure_label if indicator else "",
                "quota": quota,
                "actual": actual,
                "shortfall": arithmetic.shortfall(quota, actual) or None,
                "live_actual": Decimal(now["actual"]) if drifted else None,
            }
        )
    return rows


def recorded_settlement_line(settlement: Settlement, live, indicators: dict) -> dict:
    """A recorded settlement as the settlement page shows it, with the indicators whose
    figures drifted since (``live`` is the unit's previewed line, or None)."""
    changed = [
        indicators[code].label if code in indicators else code
        for code in services.drift(settlement, live)
    ]
    return {
        "unit": settlement.unit,
        "outcome": settlement.get_outcome_display(),
        "paid": settlement.paid_amount,
        "refund": settlement.refund_amount,
        "bonus": settlement.bonus_amount,
        "forfeit": settlement.forfeit_amount,
        "figures": settlement_figure_rows(
            settlement.figures, live.figures if live else {}, indicators
        ),
        "drift": changed,
        "live_outcome": live.outcome_label if live and changed else "",
    }


def preview_settlement_line(line, indicators: dict) -> dict:
    """A previewed line (not recorded yet) as the settlement page shows it."""
    return {
        "unit": line.unit,
        "outcome": line.outcome_label,
        "paid": line.amounts.paid,
        "refund": line.amounts.refund,
        "bonus": line.amounts.bonus,
        "forfeit": line.amounts.forfeit,
        "figures": settlement_figure_rows(line.figures, None, indicators),
        "drift": [],
    }


def settlement_page(year: AssessmentYear) -> dict:
    """What the settlement page shows for ``year``: the preview before confirming, or the
    recorded settlement with any drift since; ``not_ended`` when the year has not ended.

    Raises nothing: a year that cannot be settled yet is a message on the page."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    try:
        preview = {line.unit.pk: line for line in services.settlement_preview(year.year)}
    except ValidationError as error:
        return {"not_ended": " ".join(error.messages)}
    recorded = list(services.live_settlements(year))
    page: dict = {}
    if recorded:
        lines = [recorded_settlement_line(s, preview.get(s.unit_id), indicators) for s in recorded]
        # A unit that owes or paid now but is not in the settlement is drift too.
        settled_units = {s.unit_id for s in recorded}
        page.update(
            recorded=recorded[0],
            drifted=[line for line in lines if line["drift"]],
            missing=[line for pk, line in preview.items() if pk not in settled_units],
        )
    else:
        lines = [preview_settlement_line(line, indicators) for line in preview.values()]
    page["lines"] = lines
    page["totals"] = {
        key: sum((line[key] for line in lines), Decimal(0))
        for key in ("paid", "refund", "bonus", "forfeit")
    }
    return page
