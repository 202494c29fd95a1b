"""The one place figures are rounded for showing: 四舍五入 (half away from zero), two places.

Chinese reports round half up: 12.345 → 12.35, −12.345 → −12.35 (Python's default
``quantize`` rounds half to even and would print 12.34). Figures are computed exactly and
rounded once, here, when they are shown: on pages (through the template filters in
``common/templatetags/portal.py``), in exports, in CSV and in generated text. Zero is never
shown as −0.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

HUNDRED = Decimal(100)
MINUS = "\u2212"  # the one minus sign shown on pages and charts: "−8.34", never "-8.34"


def shown(value, places: int = 2) -> Decimal | None:
    """``value`` rounded 四舍五入 to ``places`` decimals, as it is printed; None stays None."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # no −0.00


def shown_percent(fraction, places: int = 2) -> Decimal | None:
    """A fraction shown as a percentage: 0.12345 → 12.35 (not 12.34)."""
    return None if fraction is None else shown(Decimal(fraction) * HUNDRED, places)


def shown_points(rate, schedule, places: int = 2) -> Decimal | None:
    """超(+)/欠(−)序时进度 in points, from the *shown* figures, so the printed columns subtract:
    shown 完成率 − shown 序时进度 (33.33 − 41.67 = −8.34)."""
    if rate is None or schedule is None:
        return None
    return shown(shown_percent(rate, places) - shown_percent(schedule, places), places)


def grouped(value, places: int = 2) -> str:
    """A shown figure with thousands separators, for text built outside templates (messages,
    stored notes): 85000 → "85,000.00". Templates use the ``num`` filter, which calls this."""
    return f"{shown(value, places):,.{places}f}"


def signed(text: str) -> str:
    """Text of a shown figure with the one minus sign (U+2212) instead of ASCII '-'."""
    return text.replace("-", MINUS)


def when_shown(value) -> str:
    """The one date style of the portal: "2026-11-30 12:55" in local time, dates "2026-11-30"."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)
