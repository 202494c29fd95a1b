"""The arithmetic of "时间过半，任务过半": pure functions, no database.

Rates are fractions (Decimal, 0.517 for 51.7%); "points" are percentage points
(Decimal, 15.51 for 超序时进度15.51个百分点). Rounding happens only when figures are shown.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)
TWELVE = Decimal(12)


def is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def completed_months(as_of: dt.date) -> int:
    """Months of the year complete on ``as_of``: a month is complete on its last day."""
    return as_of.month if is_month_end(as_of) else as_of.month - 1


def schedule_fraction(as_of: dt.date, mode: str = "months") -> Decimal:
    """序时进度: completed months ÷ 12 (default), or days elapsed ÷ days in the year."""
    if mode == "days":
        days_in_year = 366 if calendar.isleap(as_of.year) else 365
        return Decimal(as_of.timetuple().tm_yday) / Decimal(days_in_year)
    if mode != "months":
        raise ValueError(f"unknown schedule mode {mode!r}")
    return Decimal(completed_months(as_of)) / TWELVE


def completion_rate(actual: Decimal, quota: Decimal | None) -> Decimal | None:
    """完成率 = actual ÷ annual quota; None when there is no quota or it is zero."""
    if quota is None or quota == 0:
        return None
    return Decimal(actual) / Decimal(quota)


def points_vs_schedule(rate: Decimal | None, schedule: Decimal) -> Decimal | None:
    """超(+)/欠(−)序时进度, in percentage points."""
    if rate is None:
        return None
    return (rate - schedule) * HUNDRED


def schedule_target(quota: Decimal | None, schedule: Decimal) -> Decimal | None:
    """序时目标 = quota × 序时进度."""
    if quota is None:
        return None
    return Decimal(quota) * schedule


def schedule_gap(actual: Decimal, quota: Decimal | None, schedule: Decimal) -> Decimal | None:
    """Actual − 序时目标: positive ahead of schedule, negative behind."""
    target = schedule_target(quota, schedule)
    return None if target is None else Decimal(actual) - target


def same_day_last_year(as_of: dt.date) -> dt.date:
    """去年同期's as-of date; 29 February becomes 28 February."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:
        return as_of.replace(year=as_of.year - 1, day=28)


def growth_rate(this: Decimal, last: Decimal | None) -> Decimal | None:
    """同比增长 = (this − last) ÷ last; None when nothing was there last year."""
    if last is None or last == 0:
        return None
    return (Decimal(this) - Decimal(last)) / Decimal(last)


@dataclass(frozen=True)
class Thresholds:
    """Red below ``red_below`` of the schedule (0.8: less than 80% of where it should be)."""

    red_below: Decimal = Decimal("0.8")


GREEN, YELLOW, RED = "green", "yellow", "red"
STATUS_LABELS = {GREEN: "达到序时进度", YELLOW: "落后序时进度", RED: "严重滞后"}


def status_colour(
    rate: Decimal | None,
    schedule: Decimal,
    growth: Decimal | None = None,
    thresholds: Thresholds = Thresholds(),
) -> str | None:
    """green: on or above schedule; yellow: behind; red: below ``red_below`` × schedule, or
    shrinking year on year. None when there is no quota to judge against."""
    if rate is None:
        return None
    if rate < schedule * thresholds.red_below or (growth is not None and growth < 0):
        return RED
    if rate >= schedule:
        return GREEN
    return YELLOW


def percent(value: Decimal | None) -> Decimal | None:
    """A fraction as a percentage with two decimals (0.517 → 51.70)."""
    if value is None:
        return None
    return (value * HUNDRED).quantize(Decimal("0.01"))


def two_places(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def last_complete_month_end(today: dt.date) -> dt.date:
    """The default as-of date: the end of the last complete month ("1–N月")."""
    if is_month_end(today):
        return today
    first = today.replace(day=1)
    return first - dt.timedelta(days=1)
