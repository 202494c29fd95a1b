"""Progress of every unit and of the district against the quotas, as of a date.

Reads the rollup (a bounded number of rows whatever the number of inflows) plus the quotas;
the arithmetic is targets.progress. Used by the dashboard, the ranking, the exports and
``manage.py progress_report``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from targets import progress
from targets.models import AssessmentYear, DistrictTask, Indicator, Quota
from targets.selectors import rollup_period_totals
from units.models import Unit

DISTRICT_CODE = "全区"
ZERO = Decimal(0)


@dataclass
class Cell:
    """One indicator's figures for one unit (or the district)."""

    quota: Decimal | None
    actual: Decimal
    last_year: Decimal
    schedule: Decimal
    thresholds: progress.Thresholds = field(default_factory=progress.Thresholds)

    @property
    def rate(self) -> Decimal | None:
        return progress.completion_rate(self.actual, self.quota)

    @property
    def points(self) -> Decimal | None:
        return progress.points_vs_schedule(self.rate, self.schedule)

    @property
    def target(self) -> Decimal | None:
        return progress.schedule_target(self.quota, self.schedule)

    @property
    def gap(self) -> Decimal | None:
        return progress.schedule_gap(self.actual, self.quota, self.schedule)

    @property
    def growth(self) -> Decimal | None:
        return progress.growth_rate(self.actual, self.last_year)

    @property
    def status(self) -> str | None:
        return progress.status_colour(self.rate, self.schedule, self.growth, self.thresholds)

    @property
    def status_label(self) -> str:
        return progress.STATUS_LABELS.get(self.status, "")


@dataclass
class UnitProgress:
    unit: Unit
    cells: dict[str, Cell]

    @property
    def has_quota(self) -> bool:
        return any(cell.quota is not None for cell in self.cells.values())

    @property
    def worst_status(self) -> str | None:
        statuses = {cell.status for cell in self.cells.values()} - {None}
        for status in (progress.RED, progress.YELLOW, progress.GREEN):
            if status in statuses:
                return status
        return None

    @property
    def mean_rate(self) -> Decimal | None:
        """The mean completion rate over the indicators that carry a quota (for ranking)."""
        rates = [cell.rate for cell in self.cells.values() if cell.rate is not None]
        return sum(rates, ZERO) / len(rates) if rates else None


@dataclass
class ProgressReport:
    year: int
    as_of: dt.date
    last_year_as_of: dt.date
    schedule: Decimal
    schedule_mode: str
    indicators: list[Indicator]
    units: list[UnitProgress]
    district: dict[str, Cell]

    @property
    def months_label(self) -> str:
        """ "1–6月" for 30 June; "1月1日–6月15日" for a mid-month date."""
        if progress.is_month_end(self.as_of):
            return f"1–{self.as_of.month}月" if self.as_of.month > 1 else "1月"
        return f"1月1日–{self.as_of.month}月{self.as_of.day}日"


def check_as_of(year: int, as_of: dt.date) -> None:
    """The as-of date must fall inside the year and not after today."""
    if as_of.year != year:
        raise ValidationError(
            _("截至日期 %(d)s 不在 %(y)d 年内。") % {"d": as_of.isoformat(), "y": year}
        )
    if as_of > timezone.localdate():
        raise ValidationError(_("截至日期 %(d)s 晚于今天。") % {"d": as_of.isoformat()})


def build_report(year_settings: AssessmentYear, as_of: dt.date) -> ProgressReport:
    """Every indicator for every unit and the district, cumulative from 1 January."""
    year = year_settings.year
    check_as_of(year, as_of)
    thresholds = progress.Thresholds(red_below=settings.PROGRESS_RED_BELOW)
    schedule = progress.schedule_fraction(as_of, year_settings.schedule_mode)
    last_as_of = progress.same_day_last_year(as_of)
    indicators = list(Indicator.objects.order_by("display_order"))
    codes = {ind.pk: ind.code for ind in indicators}

    quotas = {
        (q["unit_id"], codes[q["indicator_id"]]): q["amount"]
        for q in Quota.objects.filter(year=year_settings).values(
            "unit_id", "indicator_id", "amount"
        )
    }
    tasks = {
        codes[t["indicator_id"]]: t["amount"]
        for t in DistrictTask.objects.filter(year=year_settings).values("indicator_id", "amount")
    }
    actual = rollup_period_totals(as_of)
    last = rollup_period_totals(last_as_of)

    involved = {unit_id for unit_id, _code in [*quotas, *actual]}
    units = Unit.objects.filter(Q(is_active=True) | Q(pk__in=involved))
    rows = []
    for unit in units:
        cells = {
            ind.code: Cell(
                quota=quotas.get((unit.pk, ind.code)),
                actual=actual.get((unit.pk, ind.code), ZERO),
                last_year=last.get((unit.pk, ind.code), ZERO),
                schedule=schedule,
                thresholds=thresholds,
            )
            for ind in indicators
        }
        rows.append(UnitProgress(unit=unit, cells=cells))
    district = {
        ind.code: Cell(
            quota=tasks.get(ind.code),
            actual=sum((v for (_u, c), v in actual.items() if c == ind.code), ZERO),
            last_year=sum((v for (_u, c), v in last.items() if c == ind.code), ZERO),
            schedule=schedule,
            thresholds=thresholds,
        )
        for ind in indicators
    }
    return ProgressReport(
        year=year,
        as_of=as_of,
        last_year_as_of=last_as_of,
        schedule=schedule,
        schedule_mode=year_settings.schedule_mode,
        indicators=indicators,
        units=rows,
        district=district,
    )


# --- the CSV of WORKBOOK.md ------------------------------------------------------------

CSV_HEADER = [
    "单位编码", "单位名称", "指标", "任务数", "完成数",
    "完成率", "序时进度", "超欠百分点", "去年同期", "同比增长",
]  # fmt: skip


def _number(value: Decimal | None, count: bool) -> str:
    if value is None:
        return ""
    if count:
        return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"
    return f"{value.quantize(Decimal('0.01')):.2f}"


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{progress.percent(value):.2f}"


def _points(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(Decimal('0.01')):.2f}"


def csv_rows(report: ProgressReport):
    """The rows of ``progress_report``: one per unit and indicator, then the district's."""
    for row in report.units:
        for ind in report.indicators:
            yield _csv_row(row.unit.code, row.unit.name, ind, row.cells[ind.code])
    for ind in report.indicators:
        yield _csv_row(DISTRICT_CODE, DISTRICT_CODE, ind, report.district[ind.code])


def _csv_row(code: str, name: str, ind: Indicator, cell: Cell) -> list[str]:
    count = ind.is_count
    return [
        code,
        name,
        ind.code,
        _number(cell.quota, count),
        _number(cell.actual, count),
        _pct(cell.rate),
        _pct(cell.schedule),
        _points(cell.points),
        _number(cell.last_year, count),
        _pct(cell.growth),
    ]


def ranking(report: ProgressReport) -> list[UnitProgress]:
    """Units with a quota, best mean completion rate first (ties by roster order)."""
    ranked = [row for row in report.units if row.has_quota]
    return sorted(ranked, key=lambda row: (-(row.mean_rate or ZERO), row.unit.display_order))


def report_has_quotas(report: ProgressReport) -> bool:
    return any(row.has_quota for row in report.units) or any(
        cell.quota is not None for cell in report.district.values()
    )
