"""Figures a district can sign (issue 11): 四舍五入 everywhere, 超欠 from the shown figures,
状态 from the schedule alone on the shown figures, 同比下降 as its own marker, 差 X, the
capped ranking figure. Pure arithmetic and the template filters: no database."""

import calendar
import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.rounding import shown, shown_percent
from common.templatetags.portal import num, pct, pts, qty, vs_schedule
from targets.progress import (
    GREEN,
    RED,
    YELLOW,
    hidden_shortfall,
    is_falling,
    schedule_fraction,
    status_colour,
)
from targets.reports import Cell, csv_text, figure_values

MINUS = "\u2212"
FIVE_MONTHS = D(5) / D(12)  # 1–5月: 41.67
ONE_MONTH = D(1) / D(12)  # 1月: 8.33


def cell(actual, quota, schedule=FIVE_MONTHS, last_year=D(0), threshold=D("0.80")):
    return Cell(
        quota=None if quota is None else D(quota),
        actual=D(actual),
        last_year=D(last_year),
        schedule=schedule,
        lag_threshold=threshold,
    )


# --- the issue's figures ------------------------------------------------------------------


def test_the_issues_figures_are_rounded_half_up():
    assert cell("123.45", "1000").shown_rate == D("12.35")  # was 12.34
    assert cell("650.5", "1000", last_year="400").shown_growth == D("62.63")  # was 62.62
    behind = cell("100", "300")
    assert (behind.shown_rate, behind.shown_schedule, behind.points) == (
        D("33.33"),
        D("41.67"),
        D("-8.34"),  # was −8.33 from the exact figures
    )
    on_schedule = cell("500", "1200")  # 41.666…% against 41.666…%
    assert str(on_schedule.points) == "0.00"  # never −0.00


def test_the_filters_print_one_minus_sign_and_no_minus_zero():
    assert pts(D("-8.34")) == f"{MINUS}8.34"
    assert pts(D("15.51")) == "+15.51"
    assert pts(D("0")) == "0.00" and pts(D("-0.00")) == "0.00" and pts(D("-0.001")) == "0.00"
    assert pct(D("0.12345")) == "12.35%"
    assert pct(D("-0.00001")) == "0.00%"
    assert pct(D("-0.5")) == f"{MINUS}50.00%"
    assert num(D("-50")) == f"{MINUS}50.00" and num(D("85000")) == "85,000.00"
    assert num(D("4"), 0) == "4" and num(None) == "—" and pts(None) == "—"


class Count:
    is_count = True


class Money:
    is_count = False


def test_counts_are_shown_as_integers():
    assert qty(D("4.00"), Count()) == "4"
    assert qty(D("4.00"), Money()) == "4.00"
    assert figure_values(cell("3", "4"), count=True)[:2] == [4, 3]
    assert [csv_text(v) for v in figure_values(cell("3", "4"), count=True)][:2] == ["4", "3"]


def test_the_bulletin_phrase_uses_the_shown_points():
    assert vs_schedule(D("15.51")) == "超序时进度15.51个百分点"
    assert vs_schedule(cell("100", "300").points) == "欠序时进度8.34个百分点"
    assert vs_schedule(cell("500", "1200").points) == "与序时进度持平"
    assert vs_schedule(None) == ""


# --- 状态: exhaustive boundaries ---------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "quota", "schedule", "expected"),
    [
        ("500", "1200", FIVE_MONTHS, GREEN),  # exactly on schedule (41.67 − 41.67 = 0.00)
        ("0.41666", "1", FIVE_MONTHS, GREEN),  # exact rate a hair below, shown 41.67: on it
        ("0.41664", "1", FIVE_MONTHS, YELLOW),  # shown 41.66: −0.01
        ("0.40", "1", D("0.5"), YELLOW),  # exactly at the threshold: 40.00 ≥ 0.8 × 50.00
        ("0.39995", "1", D("0.5"), YELLOW),  # shown 40.00: at the threshold
        ("0.39994", "1", D("0.5"), RED),  # shown 39.99: below it
        ("0.3334", "1", FIVE_MONTHS, YELLOW),  # 33.34 ≥ 0.8 × 41.67 = 33.336
        ("0.3333", "1", FIVE_MONTHS, RED),  # 33.33 < 33.336
        # 0.8 × 8.33 = 6.664 is not rounded again (6.66 would make 6.66 yellow)
        ("0.0666", "1", ONE_MONTH, RED),
        ("0.0667", "1", ONE_MONTH, YELLOW),
        ("0", "1", D(0), GREEN),  # 1 January: nothing is due yet
        ("5", "0", FIVE_MONTHS, None),  # a quota of zero is no task
        ("5", None, FIVE_MONTHS, None),  # no quota: no status
    ],
)
def test_status_boundaries(actual, quota, schedule, expected):
    figures = cell(actual, quota, schedule)
    assert figures.status == expected
    assert (
        figures.status_label
        == {
            GREEN: "达到序时进度",
            YELLOW: "落后序时进度",
            RED: "严重滞后",
            None: "",
        }[expected]
    )


def test_the_threshold_is_the_years_setting():
    assert cell("0.45", "1", D("0.5"), threshold=D("0.80")).status == YELLOW
    assert cell("0.45", "1", D("0.5"), threshold=D("0.95")).status == RED
    assert cell("0.45", "1", D("0.5"), threshold=D("0.90")).status == YELLOW  # 45.00 ≥ 45.00


def test_a_unit_far_ahead_that_fell_year_on_year_is_green_with_a_marker():
    # the issue: 884% and 132.88% at +41 points were labelled 严重滞后 for a fall
    ahead = cell("8840", "1000", last_year="9000")
    assert ahead.status == GREEN and ahead.falling
    assert figure_values(ahead, count=False)[-1] == "达到序时进度"
    assert not cell("100", "1000", last_year="100.0001").falling  # −0.0001% shows as 0.00
    assert not cell("100", "1000", last_year="0").falling  # nothing last year: no growth
    assert is_falling(D("-0.0001"))  # −0.01% shown


def test_a_rate_shown_as_100_but_short_says_by_how_much():
    short = cell("9999.99", "10000", schedule=D(1))
    assert short.shown_rate == D("100.00") and short.rate < 1
    assert short.shortfall == D("0.01")
    assert cell("10000", "10000").shortfall is None
    assert cell("9000", "10000").shortfall is None  # 90.00 says it already
    assert hidden_shortfall(D(5), None) is None


def test_the_ranking_figure_caps_each_rate_at_120_percent():
    # one small quota at 2185% no longer tops the ranking (a year without a scheme)
    from targets.scoring import unit_score

    assert unit_score({"a": D("21.85"), "b": D(0)}, {}).total == D("60")
    assert unit_score({"a": D("0.9")}, {}).total == D("90")
    assert unit_score({}, {}).total is None


# --- properties ---------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=D(0), max_value=D("1000000"), places=2)
QUOTAS = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)
DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
MODES = st.sampled_from(["months", "days"])
THRESHOLDS = st.decimals(min_value=D(0), max_value=D(1), places=2)


@given(AMOUNTS, QUOTAS, DAYS, MODES)
def test_shown_points_are_the_shown_rate_minus_the_shown_schedule(actual, quota, day, mode):
    figures = cell(actual, quota, schedule_fraction(day, mode))
    assert figures.points == figures.shown_rate - figures.shown_schedule
    row = [csv_text(v) for v in figure_values(figures, count=False)]
    rate, schedule, points = (D(text) for text in row[2:5])
    assert points == rate - schedule  # the printed columns subtract
    assert pts(figures.points).replace(MINUS, "-").lstrip("+") == row[4]


@given(DAYS, st.integers(min_value=1, max_value=400), MODES)
def test_the_schedule_never_falls_as_the_date_moves_on(day, later_by, mode):
    later = day + dt.timedelta(days=later_by)
    if later.year != day.year:
        later = dt.date(day.year, 12, 31)
    assert schedule_fraction(later, mode) >= schedule_fraction(day, mode)
    assert D(0) <= schedule_fraction(day, mode) <= D(1)
    end = dt.date(day.year, 12, calendar.monthrange(day.year, 12)[1])
    assert schedule_fraction(end, mode) == D(1)


@given(AMOUNTS, QUOTAS, AMOUNTS, DAYS, MODES)
def test_no_minus_zero_is_ever_printed(actual, quota, last_year, day, mode):
    figures = cell(actual, quota, schedule_fraction(day, mode), last_year=last_year)
    for count in (True, False):
        for text in (csv_text(v) for v in figure_values(figures, count)):
            assert text not in ("-0.00", "-0")
    for text in (pts(figures.points), pct(figures.rate), pct(figures.growth), num(figures.gap)):
        assert text not in ("-0.00", f"{MINUS}0.00", "-0.00%", f"{MINUS}0.00%")


@given(AMOUNTS, QUOTAS, AMOUNTS, DAYS, MODES, THRESHOLDS)
def test_the_status_follows_the_shown_figures_alone(actual, quota, last_year, day, mode, limit):
    schedule = schedule_fraction(day, mode)
    figures = cell(actual, quota, schedule, last_year=last_year, threshold=limit)
    rate, due = figures.shown_rate, figures.shown_schedule
    if figures.points >= 0:
        assert figures.status == GREEN
    elif rate >= limit * due:
        assert figures.status == YELLOW
    else:
        assert figures.status == RED
    # last year never changes the status
    assert cell(actual, quota, schedule, last_year=D(0), threshold=limit).status == figures.status
    # the same shown figures, the same status
    assert status_colour(rate / 100, due / 100, limit) == figures.status


@given(AMOUNTS, AMOUNTS, QUOTAS, DAYS, THRESHOLDS)
def test_more_money_never_makes_the_status_worse(actual, more, quota, day, limit):
    order = {RED: 0, YELLOW: 1, GREEN: 2}
    schedule = schedule_fraction(day)
    before = cell(actual, quota, schedule, threshold=limit).status
    after = cell(actual + more, quota, schedule, threshold=limit).status
    assert order[after] >= order[before]


@given(st.decimals(min_value=D(0), max_value=D(100), places=6))
def test_the_page_and_the_export_show_the_same_rate(fraction):
    assert pct(fraction) == f"{shown_percent(fraction)}%"
    assert str(shown(fraction * 100)) == pct(fraction).rstrip("%")
