"""The year-end forecast (预计全年) of one unit and indicator: pure functions, no database.

The method (DOMAIN.md, "Follow-up, early warning and reminders"), for an as-of date after
``n`` completed months (n as in 序时进度):

1. **The usual profile.** For every past year with a positive district total for the
   indicator, the share of that year's total that arrived after month ``n``; their mean is
   ``s`` (:func:`remaining_share`). Without a usable past year the spread is even:
   ``s = (12 − n) ÷ 12``.
2. **The trend.** What the unit has so far is the usual ``1 − s`` of its year, so the rest
   of the year should bring ``counted × s ÷ (1 − s)`` (:func:`trend_remaining`). Nothing
   counted yet gives no trend (a unit with nothing has no pace to extrapolate).
3. **The pipeline** (money indicators only). Signed projects' contract amounts not yet
   arrived, times the district's historic arrival rate ``r`` (the share of past years'
   signed contract amounts that arrived, at most 1), assumed to arrive evenly over the next
   twelve months, so ``(12 − n) ÷ 12`` of it lands in this year (:func:`pipeline_remaining`).
4. **The forecast** is what is counted plus the larger of the two remainders
   (:func:`forecast_year_end`): the pipeline is part of what the trend extrapolates, so
   adding them would count the same money twice; the larger one is kept because each
   misses what the other sees (a unit with one big signed project and little money so far;
   a unit whose money comes from projects signed in earlier years).

Hence the forecast is never below what is counted and equals it once the year is complete
(n = 12: no share, no months left). ``manage.py backtest_forecast`` replays past years month
by month and prints the error of this method; the README shows it on the demo data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
TWELVE = Decimal(12)


def even_share(completed_months: int) -> Decimal:
    """The share of a year after month ``n`` when money arrives evenly: (12 − n) ÷ 12."""
    _check_months(completed_months)
    return Decimal(12 - completed_months) / TWELVE


def share_after(monthly: Sequence[Decimal], completed_months: int) -> Decimal | None:
    """One past year's share of its total that arrived after month ``n``; None when the year
    has no positive total (it says nothing about when money arrives)."""
    _check_months(completed_months)
    if len(monthly) != 12:
        raise ValueError("a year has twelve monthly totals")
    total = sum(monthly, ZERO)
    if total <= 0:
        return None
    after = sum(monthly[completed_months:], ZERO)
    return min(max(after / total, ZERO), ONE)


def remaining_share(past_years: Iterable[Sequence[Decimal]], completed_months: int) -> Decimal:
    """``s``: the mean over the usable past years of :func:`share_after`, else the even
    spread. Always 0 after month 12."""
    shares = [
        share
        for share in (share_after(monthly, completed_months) for monthly in past_years)
        if share is not None
    ]
    if not shares:
        return even_share(completed_months)
    if completed_months == 12:
        return ZERO
    return sum(shares, ZERO) / len(shares)


def trend_remaining(counted: Decimal, share: Decimal) -> Decimal:
    """What the rest of the year should bring at the usual pace: counted × s ÷ (1 − s).

    With s = 1 (nothing usually arrives by now) the pace says nothing: 0.
    """
    counted, share = Decimal(counted), Decimal(share)
    if counted <= 0 or share <= 0 or share >= 1:
        return ZERO
    return counted * share / (ONE - share)


def arrival_rate(contracted: Decimal, arrived: Decimal) -> Decimal:
    """The district's historic arrival rate: arrived ÷ contracted, within [0, 1]; 0 when
    nothing was contracted (no history, no pipeline)."""
    contracted, arrived = Decimal(contracted), Decimal(arrived)
    if contracted <= 0:
        return ZERO
    return min(max(arrived / contracted, ZERO), ONE)


def pipeline_remaining(outstanding: Decimal, rate: Decimal, completed_months: int) -> Decimal:
    """Signed projects' money still to come in this year: outstanding × r × (12 − n) ÷ 12."""
    outstanding = max(Decimal(outstanding), ZERO)
    return outstanding * Decimal(rate) * even_share(completed_months)


def forecast_year_end(
    counted: Decimal,
    completed_months: int,
    share: Decimal,
    pipeline: Decimal = ZERO,
) -> Decimal:
    """预计全年 = counted + max(trend, pipeline); exactly ``counted`` after month 12."""
    _check_months(completed_months)
    counted = Decimal(counted)
    if completed_months == 12:
        return counted
    return counted + max(trend_remaining(counted, share), max(Decimal(pipeline), ZERO))


def _check_months(completed_months: int) -> None:
    if not 0 <= completed_months <= 12:
        raise ValueError(f"completed months must be 0–12, not {completed_months}")
