"""Reported figures (报送): a unit's monthly figure for a reported indicator, verified by the
commerce bureau exactly like an inflow, and what it adds to the rollup.

Every write goes through here: the forms, the workbook import (:func:`reported_bulk_save`)
and the demo. The rules live in :func:`_prepare` and nowhere else:

- only a reported indicator takes reported figures (the five built-in ones are counted from
  projects and inflows);
- a figure is for a month that has ended (its last day is today or earlier);
- a verified figure is changed only by the commerce bureau (which may take it back to
  待核实 with a reason); a returned one is corrected and resubmitted by its unit;
- one figure per unit, indicator and month (also a DB constraint).

A verified figure counts on the last day of its month (a month row plus a day row in the
rollup), so a 1–N月 report counts it when its month ≤ N and a mid-month as-of date does not
count the current month's figure (DOMAIN.md "a reported figure counts for 1–N月 when its
month is among the completed months"). The rollup changes in the same transaction as the
verification, the return or the take-back.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.bulk import CREATED, UNCHANGED, UPDATED, BulkItem
from common.permissions import require
from common.services import stamp
from targets import rollups
from targets.models import (
    MAX_YEAR,
    MIN_YEAR,
    Indicator,
    IndicatorKind,
    ReportedFigure,
    ReportedStatus,
)
from targets.rollups import Contribution, track
from targets.services import year_get_or_create

FIELDS = ("year", "month", "unit", "indicator", "amount", "evidence")


# --- which indicators take reported figures --------------------------------------------------


def is_reported(indicator: Indicator) -> bool:
    """A reported indicator (报送指标), not one of the five counted from the projects."""
    return indicator.kind == IndicatorKind.REPORTED


def reported_indicators():
    return Indicator.objects.filter(kind=IndicatorKind.REPORTED).order_by("display_order", "code")


# --- the month ---------------------------------------------------------------------------


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_refusal(year: int | None, month: int | None, today: dt.date | None = None) -> str:
    """Why a figure cannot be reported for (year, month), "" when it can: a real month that
    has ended (its last day is today or earlier)."""
    if year is None or month is None:
        return ""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return _("年度 %(y)s 无效，应在 %(min)d–%(max)d 之间。") % {
            "y": year,
            "min": MIN_YEAR,
            "max": MAX_YEAR,
        }
    if not 1 <= month <= 12:
        return _("月份 %(m)s 无效，应为 1–12。") % {"m": month}
    today = today or timezone.localdate()
    if month_end(year, month) > today:
        return _("%(y)d 年 %(m)d 月还没有结束，月末之后才能报送这个月的完成数。") % {
            "y": year,
            "m": month,
        }
    return ""


# --- what counts -------------------------------------------------------------------------


def figure_contributions(figure: ReportedFigure | None) -> list[Contribution]:
    """What a figure adds to the rollup: its amount on its month's last day, once verified."""
    if figure is None or figure.pk is None or figure.status != ReportedStatus.VERIFIED:
        return []
    if not figure.amount:
        return []
    return [
        Contribution(
            figure.unit_id,
            figure.indicator.code,
            month_end(figure.year, figure.month),
            figure.amount,
        )
    ]


def reported_daily_totals(year: int | None = None) -> dict[tuple, Decimal]:
    """(unit id, indicator code, day) → amount of the verified figures, straight from the
    records (for ``rebuild_rollups``: projects.counting.rebuild adds these)."""
    figures = ReportedFigure.objects.counted()
    if year is not None:
        figures = figures.filter(year=year)
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in figures.values("unit_id", "indicator__code", "year", "month").annotate(
        total=Sum("amount")
    ):
        if row["total"]:
            day = month_end(row["year"], row["month"])
            out[(row["unit_id"], row["indicator__code"], day)] += row["total"]
    return {key: amount for key, amount in out.items() if amount}


def reported_period_totals(start: dt.date, end: dt.date) -> dict[tuple, Decimal]:
    """(unit id, indicator code) → verified figures whose month ends within [start, end],
    from the records: the reference the rollup must agree with (projects.counting)."""
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for (unit_id, code, day), amount in reported_daily_totals().items():
        if start <= day <= end:
            out[(unit_id, code)] += amount
    return {key: amount for key, amount in out.items() if amount}


# --- building and checking a batch ---------------------------------------------------------


def _same(current: ReportedFigure, name: str, value) -> bool:
    if name == "evidence":
        return not value  # a new file is a change; no file leaves the stored one
    stored = getattr(current, name + "_id") if name in ("unit", "indicator") else None
    if stored is not None:
        return stored == getattr(value, "pk", value)
    return getattr(current, name) == value


def _copy(figure: ReportedFigure) -> ReportedFigure:
    fresh = ReportedFigure.objects.select_related("unit", "indicator").get(pk=figure.pk)
    return fresh


def _keep_evidence_name(obj: ReportedFigure) -> None:
    if not obj.evidence:
        obj.original_name = ""
    elif not obj.evidence._committed:  # the file just uploaded
        obj.original_name = obj.evidence.name.replace("\\", "/").rsplit("/", 1)[-1][:200]


def _edit_refusal(current: ReportedFigure, wanted, may_verify: bool) -> tuple[str, str] | None:
    if current.status == ReportedStatus.VERIFIED and not may_verify:
        return "amount", _("这个月的报送数已核实，只有商务局可以更改。")
    if current.status == ReportedStatus.VERIFIED and wanted == ReportedStatus.PENDING:
        return "status", _("已核实的报送数不能改回待核实；请商务局在页面上撤销核实并写明原因。")
    return None


def _build(item: BulkItem, user, *, may_verify: bool, resubmit: bool, now) -> None:
    """The figure as it would be saved (``item.obj``), or why not; "unchanged" when the
    row changes nothing. ``data``'s status: "verified" to verify on the way in."""
    data = dict(item.data)
    wanted = data.pop("status", None)
    current = item.current
    if current is None:
        obj = ReportedFigure(created_by=user, status=ReportedStatus.PENDING, **data)
        item.changed = list(data)
    else:
        changed = [n for n, v in data.items() if not _same(current, n, v)]
        resubmitted = resubmit and current.status == ReportedStatus.RETURNED
        if not changed and (not wanted or wanted == current.status) and not resubmitted:
            item.obj, item.action = current, UNCHANGED
            return
        edit = _edit_refusal(current, wanted, may_verify)
        if edit:
            item.refuse(*edit)
            return
        obj = _copy(current)
        item.changed = changed
        for name in changed:
            setattr(obj, name, data[name])
        if current.status == ReportedStatus.RETURNED:
            obj.status = ReportedStatus.PENDING  # corrected and resubmitted
    _keep_evidence_name(obj)
    if wanted == ReportedStatus.VERIFIED and obj.status != ReportedStatus.VERIFIED:
        if not may_verify:
            item.refuse("status", _("只有商务局可以导入“已核实”的报送数"))
            return
        obj.status = ReportedStatus.VERIFIED
        obj.verified_by, obj.verified_at, obj.return_reason = user, now, ""
    item.obj = obj


def _check(item: BulkItem, today: dt.date) -> None:
    obj = item.obj
    if not is_reported(obj.indicator):
        item.refuse(
            "indicator",
            _("“%(v)s”不是报送指标，它的完成数由项目和到位资金自动统计")
            % {"v": obj.indicator.name},
        )
    if item.current is None or {"year", "month"} & set(item.changed):
        refusal = month_refusal(obj.year, obj.month, today)
        if refusal:
            in_range = MIN_YEAR <= obj.year <= MAX_YEAR
            item.refuse("month" if in_range else "year", refusal)
    try:
        # (year and month: judged above, with one message)
        exclude = ["unit", "indicator", "created_by", "verified_by", "year", "month"]
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        item.refuse_all(error)


def _refuse_taken(live: list[BulkItem]) -> None:
    """One figure per unit, indicator and month: in the batch and in the database."""
    keys = {(i.obj.year, i.obj.month, i.obj.unit_id, i.obj.indicator_id): i for i in live}
    if not keys:
        return
    stored = {
        (f.year, f.month, f.unit_id, f.indicator_id): f.pk
        for f in ReportedFigure.objects.filter(
            unit_id__in={k[2] for k in keys}, year__in={k[0] for k in keys}
        ).only("id", "year", "month", "unit_id", "indicator_id")
    }
    seen: set[tuple] = set()
    for item in live:
        key = (item.obj.year, item.obj.month, item.obj.unit_id, item.obj.indicator_id)
        holder = stored.get(key)
        if key in seen or (holder is not None and holder != item.obj.pk):
            item.refuse("month", _("本单位这个月的该指标已报送过，请修改原来的报送。"))
        seen.add(key)


def _prepare(items: list[BulkItem], *, user, may_verify: bool = False, resubmit: bool = False):
    """Build each figure and apply the rules; nothing is written."""
    now, today = timezone.now(), timezone.localdate()
    for item in items:
        _build(item, user, may_verify=may_verify, resubmit=resubmit, now=now)
        if item.ok and item.action != UNCHANGED:
            _check(item, today)
    _refuse_taken([i for i in items if i.ok and i.action != UNCHANGED])


def _raise_for(item: BulkItem) -> None:
    if item.errors:
        raise item.as_error()


def _locked(figure: ReportedFigure) -> ReportedFigure:
    """Re-read the figure under a row lock, so that two clicks cannot both act on it."""
    return (
        ReportedFigure.objects.select_for_update()
        .select_related("unit", "indicator")
        .get(pk=figure.pk)
    )


# --- one figure (the forms) ----------------------------------------------------------------


@transaction.atomic
def reported_create(*, user, unit, data: dict, reason: str = "") -> ReportedFigure:
    """Report a month's figure for the unit; it waits for the commerce bureau's check.
    ``data``: year, month, indicator, amount and (optional) evidence."""
    require(user, "targets.report_figure", unit)
    item = BulkItem(data={**data, "unit": unit})
    _prepare([item], user=user)
    _raise_for(item)
    stamp(item.obj, user, reason or _("报送"))
    item.obj.save()  # pending: nothing counts yet
    return item.obj


@transaction.atomic
def reported_update(*, figure: ReportedFigure, user, data: dict) -> ReportedFigure:
    """The unit's own edit while 待核实 or 退回; a returned figure is resubmitted."""
    current = _locked(figure)
    if not current.editable_by_unit:
        raise ValidationError(
            _("这个报送数的状态是“%(s)s”，不能再修改；如有错误请联系商务局。")
            % {"s": current.get_status_display()}
        )
    require(user, "targets.edit_reported", current)
    item = BulkItem(data={**data, "unit": current.unit}, current=current)
    _prepare([item], user=user, resubmit=True)
    if item.action == UNCHANGED:
        return current
    _raise_for(item)
    resubmitted = current.status == ReportedStatus.RETURNED
    stamp(item.obj, user, _("修改后重新提交") if resubmitted else _("修改"))
    item.obj.save()  # never verified before or after: the rollup is untouched
    return item.obj


@transaction.atomic
def reported_delete(*, figure: ReportedFigure, user) -> None:
    """Withdraw a figure that was never verified."""
    figure = _locked(figure)
    if not figure.editable_by_unit:
        raise ValidationError(_("已核实的报送数不能删除。"))
    require(user, "targets.edit_reported", figure)
    if user is not None:
        figure._history_user = user
    figure.delete()


@transaction.atomic
def reported_verify(*, figure: ReportedFigure, user) -> ReportedFigure:
    """The commerce bureau has seen the evidence: the figure now counts, in its month."""
    figure = _locked(figure)
    if figure.status != ReportedStatus.PENDING:
        raise ValidationError(
            _("只有待核实的报送数可以核实（当前状态：%(s)s）。")
            % {"s": figure.get_status_display()}
        )
    require(user, "targets.verify_reported", figure)
    with track(lambda ctx: figure_contributions(figure)):
        figure.status = ReportedStatus.VERIFIED
        figure.verified_by = user
        figure.verified_at = timezone.now()
        figure.return_reason = ""
        stamp(figure, user, _("核实"))
        figure.save()
    return figure


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


@transaction.atomic
def reported_return(*, figure: ReportedFigure, user, reason: str) -> ReportedFigure:
    """Send a pending figure back to its unit with the reason; the unit corrects it."""
    reason = _reason(reason, _("退回时必须写明原因。"))
    figure = _locked(figure)
    if figure.status != ReportedStatus.PENDING:
        raise ValidationError(
            _("只有待核实的报送数可以退回（当前状态：%(s)s）。")
            % {"s": figure.get_status_display()}
        )
    require(user, "targets.verify_reported", figure)
    figure.status = ReportedStatus.RETURNED
    figure.return_reason = reason[:300]
    stamp(figure, user, _("退回：%(r)s") % {"r": reason})
    figure.save()
    return figure


@transaction.atomic
def reported_unverify(*, figure: ReportedFigure, user, reason: str) -> ReportedFigure:
    """The bureau takes a verified figure back out of the figures (退回 to the unit with
    the reason): it stops counting in the same transaction."""
    reason = _reason(reason, _("撤销核实必须写明原因。"))
    figure = _locked(figure)
    if figure.status != ReportedStatus.VERIFIED:
        raise ValidationError(_("只有已核实的报送数可以撤销核实。"))
    require(user, "targets.unverify_reported", figure)
    with track(lambda ctx: figure_contributions(figure)):
        figure.status = ReportedStatus.RETURNED
        figure.return_reason = reason[:300]
        figure.verified_by, figure.verified_at = None, None
        stamp(figure, user, _("撤销核实：%(r)s") % {"r": reason})
        figure.save()
    return figure


# --- bulk (the workbook import) --------------------------------------------------------------

BULK_FIELDS = ["amount", "status", "verified_by", "verified_at", "return_reason"]


def stored_figures(keys: set[tuple]) -> dict[tuple, ReportedFigure]:
    """The stored figures of (year, month, unit id, indicator id) keys, in one query."""
    if not keys:
        return {}
    rows = ReportedFigure.objects.filter(
        year__in={k[0] for k in keys},
        unit_id__in={k[2] for k in keys},
        indicator_id__in={k[3] for k in keys},
    ).select_related("unit", "indicator")
    found = {(f.year, f.month, f.unit_id, f.indicator_id): f for f in rows}
    return {key: figure for key, figure in found.items() if key in keys}


def reported_bulk_save(
    *, items: list[BulkItem], user, reason: str, delta: rollups.Delta, may_verify: bool
) -> list[BulkItem]:
    """Validate a batch of figures by the rules of the form and write the valid ones.

    ``data``: year, month, unit, indicator, amount and optional status ("verified" to verify
    on the way in: only where ``may_verify``, the commerce bureau or the command line).
    ``current``: the stored figure of that key, if any. An identical row is 未变. Rollup
    changes go to ``delta`` (applied once at the end of the import).
    """
    _prepare(items, user=user, may_verify=may_verify)
    # A year's settings are created with their defaults the first time a row refers to it.
    for year in sorted({i.obj.year for i in items if i.ok and i.action != UNCHANGED}):
        year_get_or_create(year)
    to_create = [i for i in items if i.ok and i.current is None and i.action != UNCHANGED]
    to_update = [i for i in items if i.ok and i.current is not None and i.action != UNCHANGED]
    if to_create:
        created = bulk_create_with_history(
            [i.obj for i in to_create],
            ReportedFigure,
            batch_size=1000,
            default_user=user,
            default_change_reason=reason,
        )
        for item, obj in zip(to_create, created, strict=True):
            item.obj, item.action = obj, CREATED
            delta.add(figure_contributions(obj))
    if to_update:
        for item in to_update:
            delta.remove(figure_contributions(item.current))
            delta.add(figure_contributions(item.obj))
            item.action = UPDATED
        bulk_update_with_history(
            [i.obj for i in to_update],
            ReportedFigure,
            fields=BULK_FIELDS,
            batch_size=1000,
            default_user=user,
            default_change_reason=reason,
        )
    return items
