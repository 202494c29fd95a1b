"""Cell values of the district workbook (WORKBOOK.md): dates, numbers, text, yes/no.

Each parser returns the value or raises CellError with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_TEXT = 500  # no cell of the contract needs more; longer is a paste accident


class CellError(ValueError):
    pass


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_text(value, max_length: int = MAX_TEXT) -> str:
    if type(value) is str:  # the usual cell, in one step (what the lines below make of it)
        text = value.strip()
        if len(text) <= max_length:
            return text
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 101, not 101.0
    text = str(value).strip()
    if len(text) > max_length:
        raise CellError(
            _("内容过长（%(n)d 字），最多 %(max)d 字") % {"n": len(text), "max": max_length}
        )
    return text


def parse_date(value) -> dt.date | None:
    """An Excel date, or text as 2022-06-30, 2022/6/30 or 2022年6月30日; nothing else."""
    if type(value) is str:  # the usual 2022-06-30, in one step
        day = _iso_date(value)
        if day is not None:
            return day
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        day = _iso_date(text)
        if day is not None:
            return day
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                year, month, day = (int(g) for g in match.groups())
                try:
                    return dt.date(year, month, day)
                except ValueError as exc:
                    raise CellError(_("日期“%(v)s”不存在") % {"v": text}) from exc
        raise CellError(
            _("日期“%(v)s”格式不对，应为 2022-06-30、2022/6/30 或 2022年6月30日") % {"v": text[:30]}
        )
    raise CellError(_("应为日期"))


def _iso_date(text: str) -> dt.date | None:
    """2022-06-30, parsed in C; None for anything else (the patterns then have their say)."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def parse_decimal(value, places: int = 2) -> Decimal | None:
    """A number, or numeric text with thousands separators ("1,234.50")."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为数字"))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(_("“%(v)s”不是数字") % {"v": value.strip()[:30]}) from exc
        if not number.is_finite():
            raise CellError(_("“%(v)s”不是数字") % {"v": value.strip()[:30]})
    else:
        raise CellError(_("应为数字"))
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum)
    if rounded != number:
        raise CellError(_("最多 %(n)d 位小数") % {"n": places} if places else _("应为整数"))
    if abs(rounded) >= Decimal(10) ** 12:
        raise CellError(_("数值过大"))
    return rounded


def parse_int(value) -> int | None:
    number = parse_decimal(value, places=0)
    return None if number is None else int(number)


def parse_yes_no(value) -> bool | None:
    if is_blank(value):
        return None
    text = str(value).strip()
    if text in {"是", "Y", "y", "1"}:
        return True
    if text in {"否", "N", "n", "0"}:
        return False
    raise CellError(_("“%(v)s”应为 是 或 否") % {"v": text[:10]})
