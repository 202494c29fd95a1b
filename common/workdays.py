"""Working days (工作日), for every deadline of the portal: pure functions, no database.

A day is a working day when it is a listed make-up day (调休上班), or else when it is a
weekday that is not a listed holiday (节假日). The lists come from ``common.models.CalendarDay``
(``CalendarDay.objects.listed()``); these functions take them as sets, so that they are tested
without a database (tests/common/test_workdays.py).

Counting is "after": ``add_working_days(d, 5)`` is the fifth working day after ``d``, ``d``
itself not counted (a complaint assigned on Friday with five working days is due on the next
Friday); ``working_days_between(a, b)`` counts the working days in (a, b].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

ONE_DAY = dt.timedelta(days=1)
NO_DAYS: frozenset[dt.date] = frozenset()


def is_working_day(
    day: dt.date,
    holidays: Collection[dt.date] = NO_DAYS,
    makeup_days: Collection[dt.date] = NO_DAYS,
) -> bool:
    """Monday to Friday, except listed holidays; plus the listed make-up days (调休)."""
    if day in makeup_days:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(
    start: dt.date,
    n: int,
    holidays: Collection[dt.date] = NO_DAYS,
    makeup_days: Collection[dt.date] = NO_DAYS,
) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` not counted); ``n == 0`` is
    ``start`` itself. A negative ``n`` is refused."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    left = n
    while left:
        day += ONE_DAY
        if is_working_day(day, holidays, makeup_days):
            left -= 1
    return day


def working_days_between(
    a: dt.date,
    b: dt.date,
    holidays: Collection[dt.date] = NO_DAYS,
    makeup_days: Collection[dt.date] = NO_DAYS,
) -> int:
    """The working days in (a, b]; negative (the same count) when ``b`` is before ``a``."""
    if b < a:
        return -working_days_between(b, a, holidays, makeup_days)
    total = 0
    # Whole weeks first: each holds five weekdays, corrected by the listed days inside it.
    weeks = (b - a).days // 7
    if weeks:
        end = a + dt.timedelta(days=7 * weeks)
        total += 5 * weeks
        total -= sum(1 for d in holidays if a < d <= end and d.weekday() < 5)
        total += sum(1 for d in makeup_days if a < d <= end and d.weekday() >= 5)
        # A day listed as both counts as a make-up day (is_working_day's order).
        total += sum(1 for d in makeup_days if a < d <= end and d.weekday() < 5 and d in holidays)
        a = end
    day = a
    while day < b:
        day += ONE_DAY
        if is_working_day(day, holidays, makeup_days):
            total += 1
    return total


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04): the whole holiday spans (weekends
# inside them included, as the notice lists them) and the make-up days (调休上班).
CHINA_2026_HOLIDAYS: dict[str, list[dt.date]] = {
    "元旦": _span(_d(1, 1), _d(1, 3)),
    "春节": _span(_d(2, 15), _d(2, 23)),
    "清明节": _span(_d(4, 4), _d(4, 6)),
    "劳动节": _span(_d(5, 1), _d(5, 5)),
    "端午节": _span(_d(6, 19), _d(6, 21)),
    "中秋节": _span(_d(9, 25), _d(9, 27)),
    "国庆节": _span(_d(10, 1), _d(10, 7)),
}
CHINA_2026_MAKEUP_DAYS: dict[str, list[dt.date]] = {
    "元旦": [_d(1, 4)],
    "春节": [_d(2, 14), _d(2, 28)],
    "劳动节": [_d(5, 9)],
    "国庆节": [_d(9, 20), _d(10, 10)],
}
