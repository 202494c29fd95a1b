"""Working days (common.workdays): properties over random calendars, and the 2026 schedule."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.models import CalendarDay, DayKind, calendar_load_china_2026
from common.workdays import (
    CHINA_2026_HOLIDAYS,
    CHINA_2026_MAKEUP_DAYS,
    add_working_days,
    is_working_day,
    working_days_between,
)

START = dt.date(2025, 12, 1)
days = st.dates(min_value=START, max_value=dt.date(2027, 1, 31))
listed = st.frozensets(days, max_size=40)
counts = st.integers(min_value=0, max_value=60)


def naive_between(a: dt.date, b: dt.date, holidays, makeup) -> int:
    """The definition, day by day: the working days in (a, b]."""
    total, day = 0, a
    while day < b:
        day += dt.timedelta(days=1)
        total += is_working_day(day, holidays, makeup)
    return total


@given(start=days, n=st.integers(min_value=1, max_value=60), holidays=listed, makeup=listed)
def test_adding_working_days_lands_on_a_working_day(start, n, holidays, makeup):
    end = add_working_days(start, n, holidays, makeup)
    assert end > start
    assert is_working_day(end, holidays, makeup)


@given(start=days, n=counts, holidays=listed, makeup=listed)
def test_between_undoes_add(start, n, holidays, makeup):
    end = add_working_days(start, n, holidays, makeup)
    assert working_days_between(start, end, holidays, makeup) == n
    assert working_days_between(end, start, holidays, makeup) == -n


@given(a=days, b=days, holidays=listed, makeup=listed)
def test_between_agrees_with_the_definition(a, b, holidays, makeup):
    """The whole-week shortcut counts what a day-by-day walk counts."""
    low, high = min(a, b), max(a, b)
    expected = naive_between(low, high, holidays, makeup)
    assert working_days_between(low, high, holidays, makeup) == expected


@given(day=days, holidays=listed, makeup=listed)
def test_weekends_are_skipped_unless_make_up_days(day, holidays, makeup):
    if day.weekday() >= 5:
        assert is_working_day(day, holidays, makeup) == (day in makeup)
    elif day in makeup:
        assert is_working_day(day, holidays, makeup)
    else:
        assert is_working_day(day, holidays, makeup) == (day not in holidays)


@given(start=days, n=counts, m=counts, holidays=listed, makeup=listed)
def test_adding_is_monotone_and_additive(start, n, m, holidays, makeup):
    low, high = sorted((n, m))
    assert add_working_days(start, low, holidays, makeup) <= add_working_days(
        start, high, holidays, makeup
    )
    step = add_working_days(start, n, holidays, makeup)
    assert add_working_days(step, m, holidays, makeup) == add_working_days(
        start, n + m, holidays, makeup
    )


@given(a=days, b=days, c=days, holidays=listed, makeup=listed)
def test_between_is_monotone_in_its_end(a, b, c, holidays, makeup):
    low, high = sorted((b, c))
    assert working_days_between(a, low, holidays, makeup) <= working_days_between(
        a, high, holidays, makeup
    )


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_working_days(START, -1)


# --- the 2026 schedule ----------------------------------------------------------------------

HOLIDAYS = frozenset(d for ds in CHINA_2026_HOLIDAYS.values() for d in ds)
MAKEUP = frozenset(d for ds in CHINA_2026_MAKEUP_DAYS.values() for d in ds)


def test_the_2026_make_up_days_are_weekends_and_the_holidays_have_no_overlap():
    assert all(day.weekday() >= 5 for day in MAKEUP)
    assert not HOLIDAYS & MAKEUP
    assert len(HOLIDAYS) == 3 + 9 + 3 + 5 + 3 + 3 + 7


def test_five_working_days_across_the_spring_festival():
    # Assigned on Friday 13 February 2026: Saturday 14th is a make-up day (1), the holiday
    # runs 15–23 February, then 24, 25, 26 and 27 February (2–5).
    assert add_working_days(dt.date(2026, 2, 13), 5, HOLIDAYS, MAKEUP) == dt.date(2026, 2, 27)
    # Without the calendar it would have been Friday 20 February.
    assert add_working_days(dt.date(2026, 2, 13), 5) == dt.date(2026, 2, 20)


def test_national_day_and_its_make_up_days():
    # Friday 25 September (中秋) to 7 October are off; Sunday 20 September and Saturday
    # 10 October are worked.
    assert is_working_day(dt.date(2026, 9, 20), HOLIDAYS, MAKEUP)
    assert not is_working_day(dt.date(2026, 10, 5), HOLIDAYS, MAKEUP)
    # Assigned Wednesday 30 September: 8, 9, 10 (Saturday, worked), 12, 13 October.
    assert add_working_days(dt.date(2026, 9, 30), 5, HOLIDAYS, MAKEUP) == dt.date(2026, 10, 13)


@pytest.mark.django_db
def test_the_loader_enters_the_schedule_once_and_the_calendar_answers():
    assert calendar_load_china_2026() == len(HOLIDAYS) + len(MAKEUP)
    assert calendar_load_china_2026() == 0
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 14)).kind == DayKind.MAKEUP
    assert CalendarDay.objects.listed() == (HOLIDAYS, MAKEUP)
    assert CalendarDay.objects.add_working_days(dt.date(2026, 2, 13), 5) == dt.date(2026, 2, 27)
    assert not CalendarDay.objects.is_working_day(dt.date(2026, 5, 4))
