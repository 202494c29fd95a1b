"""The pure cell parsers of the workbook (workbook.values): no database."""

import datetime as dt
from decimal import Decimal as D

import pytest

from workbook.values import (
    MAX_TEXT,
    CellError,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
    parse_yes_no,
)

# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2025-06-30", "2025/6/30", "2025年6月30日", "2025/06/30", "2025-6-30", "  2025-06-30  "],
)
def test_the_three_text_forms_of_a_date_are_accepted(text):
    assert parse_date(text) == dt.date(2025, 6, 30)


def test_excel_dates_are_accepted():
    assert parse_date(dt.datetime(2025, 6, 30, 0, 0)) == dt.date(2025, 6, 30)
    assert parse_date(dt.date(2025, 6, 30)) == dt.date(2025, 6, 30)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_blank_date_is_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "text",
    [
        "30/06/2025",
        "06/30/2025",
        "2025.06.30",
        "20250630",
        "2025-06",
        "June 30, 2025",
        "2025年6月30",
        "二〇二五年六月三十日",
        "2025-06-30 10:00",
        "明天",
    ],
)
def test_other_date_texts_are_refused_with_the_accepted_forms_named(text):
    with pytest.raises(CellError) as info:
        parse_date(text)
    message = str(info.value)
    assert "格式不对" in message
    assert "2022-06-30" in message and "2022/6/30" in message and "2022年6月30日" in message


@pytest.mark.parametrize("text", ["2025-02-30", "2025/13/1", "2025年4月31日"])
def test_a_date_that_does_not_exist_is_refused(text):
    with pytest.raises(CellError, match="不存在"):
        parse_date(text)


@pytest.mark.parametrize("value", [45838, 45838.0, True])
def test_a_bare_number_is_not_a_date(value):
    with pytest.raises(CellError, match="应为日期"):
        parse_date(value)


def test_a_long_bad_date_is_quoted_shortened():
    with pytest.raises(CellError) as info:
        parse_date("x" * 1000)
    assert len(str(info.value)) < 120


# --- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234, D("1234.00")),
        (1234.5, D("1234.50")),
        (0.1, D("0.10")),
        ("1234.5", D("1234.50")),
        ("1,234.50", D("1234.50")),
        ("1,234,567", D("1234567.00")),
        ("1，234", D("1234.00")),
        (" 88 ", D("88.00")),
        ("-5", D("-5.00")),
        (0, D("0.00")),
    ],
)
def test_numbers_and_numeric_text(value, expected):
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_blank_number_is_none(value):
    assert parse_decimal(value) is None


@pytest.mark.parametrize("text", ["五百", "12万", "abc", "1.2.3", "NaN", "Infinity", "--5"])
def test_text_that_is_not_a_number_is_refused(text):
    with pytest.raises(CellError, match="不是数字"):
        parse_decimal(text)


def test_a_boolean_or_a_date_is_not_a_number():
    with pytest.raises(CellError, match="应为数字"):
        parse_decimal(True)
    with pytest.raises(CellError, match="应为数字"):
        parse_decimal(dt.date(2025, 1, 1))


def test_more_decimals_than_allowed_are_refused_not_rounded():
    with pytest.raises(CellError, match="最多 2 位小数"):
        parse_decimal(1.234)
    with pytest.raises(CellError, match="最多 2 位小数"):
        parse_decimal("0.001")
    assert parse_decimal("1.5", places=1) == D("1.5")


def test_a_huge_number_is_refused():
    with pytest.raises(CellError, match="数值过大"):
        parse_decimal(10**12)
    with pytest.raises(CellError, match="数值过大"):
        parse_decimal("1e15")


def test_integers():
    assert parse_int(2025) == 2025
    assert parse_int(2025.0) == 2025
    assert parse_int("2,025") == 2025
    assert parse_int(None) is None
    with pytest.raises(CellError, match="应为整数"):
        parse_int(4.5)
    with pytest.raises(CellError, match="不是数字"):
        parse_int("二〇二五")


# --- text and yes/no -------------------------------------------------------------------


def test_text_is_stripped_and_codes_typed_as_numbers_lose_the_point():
    assert parse_text("  甲镇 ") == "甲镇"
    assert parse_text(101.0) == "101"
    assert parse_text(101) == "101"
    assert parse_text(None) == ""
    assert parse_text("   ") == ""


def test_text_longer_than_the_limit_is_refused_with_its_length():
    assert parse_text("x" * MAX_TEXT) == "x" * MAX_TEXT
    with pytest.raises(CellError) as info:
        parse_text("x" * (MAX_TEXT + 1))
    assert f"内容过长（{MAX_TEXT + 1} 字）" in str(info.value)
    with pytest.raises(CellError, match="最多 20 字"):
        parse_text("A" * 21, 20)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("是", True), ("否", False), ("Y", True), ("n", False), (1, True), (0, False), (None, None)],
)
def test_yes_no(value, expected):
    assert parse_yes_no(value) is expected


def test_anything_else_is_not_yes_or_no():
    with pytest.raises(CellError, match="应为 是 或 否"):
        parse_yes_no("也许")


def test_is_blank():
    assert is_blank(None) and is_blank("") and is_blank(" \t")
    assert not is_blank(0) and not is_blank("0") and not is_blank(False)
