"""common.rounding: 四舍五入 to two places, once, when a figure is shown; never −0.00."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.rounding import shown, shown_percent, shown_points


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.345", "12.35"),  # round-half-even would give 12.34
        ("62.625", "62.63"),  # and 62.62
        ("-12.345", "-12.35"),  # half away from zero
        ("0.005", "0.01"),
        ("-0.004", "0.00"),  # never −0.00
        ("-0", "0.00"),
        ("85000", "85000.00"),
    ],
)
def test_shown_rounds_half_up(value, expected):
    assert str(shown(D(value))) == expected


def test_shown_percent_and_points_of_the_issue():
    assert shown_percent(D("0.12345")) == D("12.35")
    assert shown_percent(D("0.62625")) == D("62.63")
    # 33.333…% against 1–5月 (41.666…%): the printed columns subtract
    assert shown_points(D(1) / D(3), D(5) / D(12)) == D("-8.34")
    assert shown_points(D("0.5"), D("0.5")) == D("0.00")
    assert str(shown_points(D("0.5"), D("0.5"))) == "0.00"
    assert shown(None) is None and shown_percent(None) is None
    assert shown_points(None, D("0.5")) is None


def test_counts_round_to_whole_numbers():
    assert shown(D("4.5"), 0) == D(5) and shown(D("-4.5"), 0) == D(-5)
    assert str(shown(D("-0.4"), 0)) == "0"


FRACTIONS = st.decimals(min_value=D("-50"), max_value=D("50"), allow_nan=False, places=8)


@given(FRACTIONS)
def test_nothing_is_ever_shown_as_minus_zero(value):
    for figure in (shown(value), shown_percent(value), shown(value, 0)):
        assert not str(figure).startswith("-0") or figure != 0
        assert str(figure) != "-0.00"
        assert not (figure.is_zero() and figure.is_signed())


@given(FRACTIONS, FRACTIONS)
def test_shown_points_subtract_the_shown_columns(rate, schedule):
    assert shown_points(rate, schedule) == shown_percent(rate) - shown_percent(schedule)
