"""The arithmetic of "时间过半，任务过半": pure functions, no database.

Rates are fractions (Decimal, 0.517 for 51.7%); "points" are percentage points
(Decimal, 15.51 for 超序时进度15.51个百分点). Rounding happens only when figures are shown,
through common.rounding (四舍五入); the status is judged on the shown figures.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_noop

from common.rounding import shown_percent, shown_points

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
    """超(+)/欠(−)序时进度 in percentage points, as printed: the shown 完成率 minus the shown
    序时进度 (33.33 − 41.67 = −8.34), so that the printed columns always subtract."""
    return shown_points(rate, schedule)


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


DEFAULT_LAG_THRESHOLD = Decimal("0.80")

GREEN, YELLOW, RED = "green", "yellow", "red"
# gettext_noop: the values stay the Chinese literals the commands print (WORKBOOK.md); pages
# translate them where they show them.
STATUS_LABELS = {
    GREEN: gettext_noop("达到序时进度"),
    YELLOW: gettext_noop("落后序时进度"),
    RED: gettext_noop("严重滞后"),
}
FALLING_LABEL = gettext_noop("同比下降")


def status_colour(
    rate: Decimal | None, schedule: Decimal, lag_threshold: Decimal = DEFAULT_LAG_THRESHOLD
) -> str | None:
    """状态 from the schedule alone, judged on the *shown* figures (DOMAIN.md):

    green 达到序时进度 when shown 完成率 − shown 序时进度 ≥ 0; yellow 落后序时进度 when
    shown 完成率 ≥ ``lag_threshold`` × shown 序时进度 (the product is not rounded again);
    red 严重滞后 below that. None without a rate (no quota, or a quota of zero). A fall
    year on year is a separate marker (:func:`is_falling`), never a reason for red.
    """
    if rate is None:
        return None
    shown_rate, shown_schedule = shown_percent(rate), shown_percent(schedule)
    if shown_points(rate, schedule) >= 0:
        return GREEN
    if shown_rate >= Decimal(lag_threshold) * shown_schedule:
        return YELLOW
    return RED


def is_falling(growth: Decimal | None) -> bool:
    """同比下降: the shown growth is below zero (−0.001% shows as 0.00 and is no fall)."""
    return growth is not None and shown_percent(growth) < 0


def hidden_shortfall(actual: Decimal, quota: Decimal | None) -> Decimal | None:
    """差 X: what is still missing when the shown rate reads 100.00 but the exact rate is
    below 1 (in the indicator's own unit); None otherwise."""
    rate = completion_rate(actual, quota)
    if rate is None or rate >= 1 or shown_percent(rate) < HUNDRED:
        return None
    return Decimal(quota) - Decimal(actual)


def last_complete_month_end(today: dt.date) -> dt.date:
    """The default as-of date: the end of the last complete month ("1–N月")."""
    if is_month_end(today):
        return today
    first = today.replace(day=1)
    return first - dt.timedelta(days=1)
