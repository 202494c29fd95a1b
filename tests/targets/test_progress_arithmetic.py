"""The 序时进度 arithmetic, without the database."""

import datetime as dt
from decimal import Decimal as D

import pytest

from common.rounding import shown_percent as percent
from targets.progress import (
    GREEN,
    RED,
    YELLOW,
    completed_months,
    completion_rate,
    growth_rate,
    last_complete_month_end,
    points_vs_schedule,
    same_day_last_year,
    schedule_fraction,
    schedule_gap,
    schedule_target,
    status_colour,
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2026, 5, 31), "41.67"),  # 1–5月
        (dt.date(2026, 6, 30), "50.00"),  # 1–6月: 时间过半
        (dt.date(2026, 10, 31), "83.33"),  # 1–10月
        (dt.date(2026, 6, 15), "41.67"),  # mid-June: June is not complete yet
        (dt.date(2026, 1, 1), "0.00"),
        (dt.date(2026, 1, 31), "8.33"),
        (dt.date(2026, 12, 31), "100.00"),
        (dt.date(2024, 2, 28), "8.33"),  # leap year: February is not over on the 28th
        (dt.date(2024, 2, 29), "16.67"),
        (dt.date(2026, 2, 28), "16.67"),  # common year: it is
    ],
)
def test_schedule_in_months(as_of, expected):
    assert percent(schedule_fraction(as_of)) == D(expected)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2026, 1, 1), D(1) / D(365)),
        (dt.date(2026, 7, 2), D(183) / D(365)),
        (dt.date(2024, 7, 1), D(183) / D(366)),  # leap year
        (dt.date(2024, 12, 31), D(1)),
        (dt.date(2026, 12, 31), D(1)),
    ],
)
def test_schedule_in_days(as_of, expected):
    assert schedule_fraction(as_of, "days") == expected


def test_an_unknown_schedule_mode_is_an_error():
    with pytest.raises(ValueError):
        schedule_fraction(dt.date(2026, 1, 1), "weeks")


def test_completed_months_counts_a_month_on_its_last_day():
    assert completed_months(dt.date(2026, 4, 29)) == 3
    assert completed_months(dt.date(2026, 4, 30)) == 4


def test_the_seeds_figures():
    # 实际到位外资 2,535万美元 = 51.7% of the task → a task of 4,903.29…; 1–6月 schedule 50%.
    task = D("4903")
    rate = completion_rate(D("2535"), task)
    assert percent(rate) == D("51.70")
    assert points_vs_schedule(rate, schedule_fraction(dt.date(2026, 6, 30))).quantize(
        D("0.01")
    ) == D("1.70")
    # "1–5月 completion 57.18% is 超序时进度15.51个百分点"
    five = schedule_fraction(dt.date(2026, 5, 31))
    assert points_vs_schedule(D("0.5718"), five).quantize(D("0.01")) == D("15.51")


@pytest.mark.parametrize("quota", [None, D(0)])
def test_no_rate_without_a_quota(quota):
    assert completion_rate(D(10), quota) is None
    assert points_vs_schedule(None, D("0.5")) is None


def test_schedule_target_and_gap():
    assert schedule_target(D(1200), D("0.5")) == D(600)
    assert schedule_gap(D(700), D(1200), D("0.5")) == D(100)
    assert schedule_gap(D(500), D(1200), D("0.5")) == D(-100)
    assert schedule_target(None, D("0.5")) is None
    assert schedule_gap(D(5), None, D("0.5")) is None


def test_same_day_last_year():
    assert same_day_last_year(dt.date(2026, 6, 30)) == dt.date(2025, 6, 30)
    assert same_day_last_year(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)


def test_growth():
    assert percent(growth_rate(D("85000"), D("73784.72"))) == D("15.20")
    assert growth_rate(D(1800), D(1000)) == D("0.8")  # 1.8 times last year: +80%
    assert growth_rate(D(5), None) is None
    assert growth_rate(D(5), D(0)) is None
    assert growth_rate(D(0), D(5)) == D(-1)


@pytest.mark.parametrize(
    ("rate", "schedule", "expected"),
    [
        (D("0.50"), D("0.50"), GREEN),  # exactly on schedule
        (D("0.60"), D("0.50"), GREEN),
        (D("0.45"), D("0.50"), YELLOW),  # behind, but ≥ 80% of schedule
        (D("0.40"), D("0.50"), YELLOW),  # exactly 80%: not yet red
        (D("0.39"), D("0.50"), RED),
        (None, D("0.50"), None),  # no quota: no colour
        (D("0"), D("0"), GREEN),  # January: nothing is due yet
    ],
)
def test_status_colour(rate, schedule, expected):
    assert status_colour(rate, schedule) == expected


def test_status_thresholds_are_configurable():
    assert status_colour(D("0.45"), D("0.50"), D("0.95")) == RED


def test_the_default_as_of_is_the_last_complete_month():
    assert last_complete_month_end(dt.date(2026, 11, 25)) == dt.date(2026, 10, 31)
    assert last_complete_month_end(dt.date(2026, 11, 30)) == dt.date(2026, 11, 30)
    assert last_complete_month_end(dt.date(2026, 1, 5)) == dt.date(2025, 12, 31)
    assert last_complete_month_end(dt.date(2024, 3, 1)) == dt.date(2024, 2, 29)
