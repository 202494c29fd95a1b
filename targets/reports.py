"""Progress of every unit and of the district against the quotas, as of a date.

Reads the rollup (a bounded number of rows whatever the number of inflows) plus the quotas;
the arithmetic is targets.progress. Used by the dashboard, the ranking, the exports and
``manage.py progress_report``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.rounding import shown, shown_percent
from targets import progress, scoring
from targets.models import DEFAULT_HOME_PROVINCE, AssessmentYear, DistrictTask, Indicator, Quota
from targets.period import months_label, shown_months_label
from targets.selectors import adjustment_totals, rollup_period_totals, scheme_weightings
from units.models import Unit

DISTRICT_CODE = "全区"
ZERO = Decimal(0)


@dataclass(slots=True)
class Cell:
    """One indicator's figures for one unit (or the district).

    The exact figures (``rate``, ``growth``, ``gap``) are for money decisions; every figure
    that is shown goes through common.rounding (the ``shown_*`` properties), and 超欠 and the
    status are judged on the shown figures (DOMAIN.md "时间过半，任务过半")."""

    quota: Decimal | None
    actual: Decimal
    last_year: Decimal
    schedule: Decimal
    lag_threshold: Decimal = progress.DEFAULT_LAG_THRESHOLD

    @property
    def rate(self) -> Decimal | None:
        return progress.completion_rate(self.actual, self.quota)

    @property
    def points(self) -> Decimal | None:
        """超欠百分点 as printed: shown 完成率 − shown 序时进度."""
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
    def shown_rate(self) -> Decimal | None:
        return shown_percent(self.rate)

    @property
    def shown_schedule(self) -> Decimal:
        return shown_percent(self.schedule)

    @property
    def shown_growth(self) -> Decimal | None:
        return shown_percent(self.growth)

    @property
    def status(self) -> str | None:
        return progress.status_colour(self.rate, self.schedule, self.lag_threshold)

    @property
    def status_label(self) -> str:
        return progress.STATUS_LABELS.get(self.status, "")

    @property
    def falling(self) -> bool:
        """同比下降: a marker of its own, never part of the status."""
        return progress.is_falling(self.growth)

    @property
    def shortfall(self) -> Decimal | None:
        """差 X where the shown rate reads 100.00 but the exact rate is below 1."""
        return progress.hidden_shortfall(self.actual, self.quota)


@dataclass
class UnitProgress:
    """A unit's cells and its score by the year's scheme (``scheme``: indicator code →
    scoring.Weighting, empty for a year without scheme lines; ``adjustment``: the sum of
    its 加减分)."""

    unit: Unit
    cells: dict[str, Cell]
    scheme: dict[str, scoring.Weighting] = field(default_factory=dict)
    adjustment: Decimal = ZERO

    @property
    def has_quota(self) -> bool:
        """At least one indicator with a positive quota (a quota of zero is no task)."""
        return any(cell.rate is not None for cell in self.cells.values())

    @property
    def worst_status(self) -> str | None:
        statuses = {cell.status for cell in self.cells.values()} - {None}
        for status in (progress.RED, progress.YELLOW, progress.GREEN):
            if status in statuses:
                return status
        return None

    @cached_property
    def scored(self) -> scoring.Score:
        return scoring.unit_score(
            {code: cell.rate for code, cell in self.cells.items()}, self.scheme, self.adjustment
        )

    @property
    def score(self) -> Decimal | None:
        """综合得分, exact (None without a positive quota): the ranking figure."""
        return self.scored.total

    @property
    def base_score(self) -> Decimal | None:
        """得分: Σ weight × min(完成率, cap) ÷ Σ weight × 100."""
        return self.scored.base

    @property
    def adjustment_points(self) -> Decimal:
        """加减分: the sum of the unit's bonus and deduction points for the year."""
        return self.scored.adjustment

    @property
    def breakdown(self) -> tuple[scoring.Part, ...]:
        """How the 得分 is made, one part per indicator with a positive quota."""
        return self.scored.parts


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
    lag_threshold: Decimal = progress.DEFAULT_LAG_THRESHOLD
    home_province: str = DEFAULT_HOME_PROVINCE
    scheme: dict[str, scoring.Weighting] = field(default_factory=dict)
    board_size: int = scoring.DEFAULT_BOARD_SIZE

    def weighting(self, code: str) -> scoring.Weighting:
        return scoring.weighting(self.scheme, code)

    @property
    def indicator_codes(self) -> dict[int, str]:
        """Indicator id → code, for the rollup readers (saves them reading the indicators)."""
        return {ind.pk: ind.code for ind in self.indicators}

    @property
    def deposit_codes(self) -> set[str]:
        """The codes of the indicators that decide the deposit this year."""
        return {ind.code for ind in self.indicators if self.weighting(ind.code).decides_deposit}

    @property
    def months_label(self) -> str:
        """ "1–6月" for 30 June; "1月1日–6月15日" for a mid-month date (always Chinese: the
        exports and progress_report print it; pages show ``shown_months_label``)."""
        return months_label(self.as_of)

    @property
    def shown_months_label(self) -> str:
        """The same in the language of the request, for pages."""
        return shown_months_label(self.as_of)


def check_as_of(year: int, as_of: dt.date) -> None:
    """The as-of date must fall inside the year and not after today."""
    if as_of.year != year:
        raise ValidationError(
            _("截至日期 %(d)s 不在 %(y)d 年内。") % {"d": as_of.isoformat(), "y": year}
        )
    if as_of > timezone.localdate():
        raise ValidationError(_("截至日期 %(d)s 晚于今天。") % {"d": as_of.isoformat()})


def by_code(totals: dict[tuple, Decimal]) -> dict[str, Decimal]:
    """(unit id, indicator code) → amount, summed over the units: indicator code → amount."""
    out: dict[str, Decimal] = {}
    for (_unit, code), value in totals.items():
        out[code] = out.get(code, ZERO) + value
    return out


def build_report(year_settings: AssessmentYear, as_of: dt.date) -> ProgressReport:
    """Every indicator for every unit and the district, cumulative from 1 January."""
    year = year_settings.year
    check_as_of(year, as_of)
    lag_threshold = year_settings.lag_threshold
    schedule = progress.schedule_fraction(as_of, year_settings.schedule_mode)
    last_as_of = progress.same_day_last_year(as_of)
    indicators = list(Indicator.objects.order_by("display_order", "code"))
    codes = {ind.pk: ind.code for ind in indicators}
    scheme = scheme_weightings(year)
    adjustments = adjustment_totals(year)

    quotas = {
        (q["unit_id"], codes[q["indicator_id"]]): q["amount"]
        for q in Quota.objects.filter(year__year=year).values("unit_id", "indicator_id", "amount")
    }
    tasks = {
        codes[t["indicator_id"]]: t["amount"]
        for t in DistrictTask.objects.filter(year__year=year).values("indicator_id", "amount")
    }
    actual = rollup_period_totals(as_of, codes)
    last = rollup_period_totals(last_as_of, codes)

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
                lag_threshold=lag_threshold,
            )
            for ind in indicators
        }
        rows.append(
            UnitProgress(
                unit=unit,
                cells=cells,
                scheme=scheme,
                adjustment=adjustments.get(unit.pk, ZERO),
            )
        )
    district_actual, district_last = by_code(actual), by_code(last)
    district = {
        ind.code: Cell(
            quota=tasks.get(ind.code),
            actual=district_actual.get(ind.code, ZERO),
            last_year=district_last.get(ind.code, ZERO),
            schedule=schedule,
            lag_threshold=lag_threshold,
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
        lag_threshold=lag_threshold,
        home_province=year_settings.home_province,
        scheme=scheme,
        board_size=year_settings.board_size,
    )


# --- the CSV of WORKBOOK.md ------------------------------------------------------------

CSV_HEADER = [
    "单位编码", "单位名称", "指标", "任务数", "完成数",
    "完成率", "序时进度", "超欠百分点", "去年同期", "同比增长", "状态",
]  # fmt: skip


def quantity(value: Decimal | None, count: bool) -> Decimal | int | None:
    """An amount or a count as shown: counts as integers, amounts with two decimals."""
    if value is None:
        return None
    return int(shown(value, 0)) if count else shown(value)


def figure_values(cell: Cell, count: bool) -> list:
    """任务数 … 状态 of one row, as shown (None where a figure cannot be computed)."""
    return [
        quantity(cell.quota, count),
        quantity(cell.actual, count),
        cell.shown_rate,
        cell.shown_schedule,
        cell.points,
        quantity(cell.last_year, count),
        cell.shown_growth,
        cell.status_label or None,
    ]


def csv_text(value) -> str:
    """A shown value as CSV text: empty for None, two decimals for an amount."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"  # no thousands separators; shown() never leaves −0.00
    return str(value)


def value_rows(report: ProgressReport):
    """The rows of ``progress_report`` as values (numbers stay numbers, for the xlsx): one
    per unit and indicator, then the district's (单位编码 and 单位名称 全区)."""
    for row in report.units:
        for ind in report.indicators:
            yield [
                row.unit.code,
                row.unit.name,
                ind.code,
                *figure_values(row.cells[ind.code], ind.is_count),
            ]
    for ind in report.indicators:
        yield [
            DISTRICT_CODE,
            DISTRICT_CODE,
            ind.code,
            *figure_values(report.district[ind.code], ind.is_count),
        ]


def csv_rows(report: ProgressReport):
    """The rows of ``progress_report`` as CSV text (WORKBOOK.md)."""
    for row in value_rows(report):
        yield [csv_text(value) for value in row]


def ranking(report: ProgressReport) -> list[UnitProgress]:
    """Units with a positive quota, best 综合得分 first; equal shown scores by 单位编码."""
    return [row for _place, row in ranking_places(report)]


def ranking_places(report: ProgressReport) -> list[tuple[int, UnitProgress]]:
    """(名次, row) by the year's scheme: equal shown 综合得分 share a place (1, 1, 3) and
    are listed by 单位编码."""
    return scoring.rank(report.units, total=lambda row: row.score, code=lambda row: row.unit.code)


def ranking_boards(
    report: ProgressReport, places: list[tuple[int, UnitProgress]] | None = None
) -> tuple[list[tuple[int, UnitProgress]], list[tuple[int, UnitProgress]]]:
    """红黑榜: the top and bottom ``report.board_size`` places, ties at the cut included."""
    if places is None:
        places = ranking_places(report)
    return scoring.boards(places, report.board_size, total=lambda row: row.score)


def report_has_quotas(report: ProgressReport) -> bool:
    return any(row.has_quota for row in report.units) or any(
        cell.quota is not None for cell in report.district.values()
    )


# --- ranking_report (WORKBOOK.md) ---------------------------------------------------------

RANKING_HEADER = ["名次", "单位编码", "单位名称", "单位类型", "得分", "加减分", "综合得分"]


def ranking_value_rows(report: ProgressReport):
    """The rows of ``ranking_report`` as values (numbers stay numbers, for the xlsx): one
    per unit with a positive quota, best first; equal shown 综合得分 share a 名次 and are
    listed by 单位编码. 得分 and 综合得分 are exact until shown here (四舍五入)."""
    for place, row in ranking_places(report):
        yield [
            place,
            row.unit.code,
            row.unit.name,
            str(row.unit.get_kind_display()),
            shown(row.base_score),
            shown(row.adjustment_points),
            shown(row.score),
        ]


def ranking_csv_rows(report: ProgressReport):
    for row in ranking_value_rows(report):
        yield [csv_text(value) for value in row]
