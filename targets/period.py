"""The year and as-of pickers: parse them from the query string, never failing with a 500."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from targets.models import MIN_YEAR
from targets.progress import is_month_end, last_complete_month_end


@dataclass
class Period:
    year: int
    as_of: dt.date
    errors: list[str]

    def query(self) -> str:
        return f"year={self.year}&as_of={self.as_of.isoformat()}"


def default_as_of(year: int, today: dt.date) -> dt.date:
    """The last complete month of ``year`` that has ended by ``today`` (31 Dec for a past year,
    1 January when not even January is over)."""
    if year < today.year:
        return dt.date(year, 12, 31)
    end = last_complete_month_end(today)
    return end if end.year == year else dt.date(year, 1, 1)


def parse_period(params) -> Period:
    """Read ``year`` and ``as_of`` from a QueryDict; bad values fall back to the defaults and
    say why in Chinese."""
    today = timezone.localdate()
    errors: list[str] = []
    default_year = last_complete_month_end(today).year
    year_text = (params.get("year") or "").strip()
    year = default_year
    if year_text:
        if year_text.isdigit() and MIN_YEAR <= int(year_text) <= today.year:
            year = int(year_text)
        else:
            errors.append(
                _("年度“%(v)s”无效，已显示 %(y)d 年。") % {"v": year_text[:20], "y": year}
            )
    as_of = default_as_of(year, today)
    as_of_text = (params.get("as_of") or "").strip()
    if as_of_text:
        try:
            chosen = dt.date.fromisoformat(as_of_text)
        except ValueError:
            errors.append(
                _("截至日期“%(v)s”格式不对（应为 YYYY-MM-DD），已显示 %(d)s。")
                % {"v": as_of_text[:20], "d": as_of.isoformat()}
            )
        else:
            if chosen.year != year:
                errors.append(
                    _("截至日期 %(v)s 不在 %(y)d 年内，已显示 %(d)s。")
                    % {"v": chosen.isoformat(), "y": year, "d": as_of.isoformat()}
                )
            elif chosen > today:
                errors.append(
                    _("截至日期 %(v)s 晚于今天，已显示 %(d)s。")
                    % {"v": chosen.isoformat(), "d": as_of.isoformat()}
                )
            else:
                as_of = chosen
    return Period(year=year, as_of=as_of, errors=errors)


def months_label(as_of: dt.date) -> str:
    """ "1–6月" for 30 June, "1月" for 31 January, "1月1日–6月15日" for a mid-month date: the
    label the exports and progress_report print (WORKBOOK.md), always in Chinese."""
    if is_month_end(as_of):
        return f"1–{as_of.month}月" if as_of.month > 1 else "1月"
    return f"1月1日–{as_of.month}月{as_of.day}日"


def shown_months_label(as_of: dt.date) -> str:
    """:func:`months_label` in the language of the request: call it while building a page."""
    if is_month_end(as_of):
        return _("1–%(m)d月") % {"m": as_of.month} if as_of.month > 1 else _("1月")
    return _("1月1日–%(m)d月%(d)d日") % {"m": as_of.month, "d": as_of.day}


def month_end_choices(year: int, today: dt.date) -> list[tuple[str, str]]:
    """("2026-06-30", "1–6月") for every month of ``year`` that has ended by ``today``, the
    labels in the language of the request (for the pickers)."""
    choices = []
    for month in range(1, 13):
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        if end > today:
            break
        choices.append((end.isoformat(), shown_months_label(end)))
    return choices
