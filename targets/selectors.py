"""Reads for the quota grid and the unit pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from common.rounding import shown
from targets import report_cache, scoring
from targets.models import (
    MAX_YEAR,
    MIN_YEAR,
    AssessmentYear,
    DistrictTask,
    Indicator,
    Quota,
    Rollup,
    SchemeEntry,
    ScoreAdjustment,
    Tally,
    default_deposit_due_date,
)
from targets.progress import is_month_end
from units.models import Unit


def year_settings(year: int) -> AssessmentYear:
    """The year's settings for reading: the stored row, or (when nobody has set up the year)
    an unsaved one with the defaults. Never creates a row: pages and read-only commands
    create nothing (WORKBOOK.md); writes go through services.year_get_or_create."""
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年度 %(year)s 无效，应在 %(min)d–%(max)d 之间。")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    found = AssessmentYear.objects.filter(year=year).first()
    if found is not None:
        return found
    return AssessmentYear(year=year, deposit_due_date=default_deposit_due_date(year))


def grid_data(year: int):
    """Units (active ones and any holding a quota that year), indicators, quotas and tasks."""
    indicators = list(Indicator.objects.order_by("display_order"))
    quotas = {
        (q.unit_id, q.indicator_id): q.amount
        for q in Quota.objects.filter(year__year=year).only("unit_id", "indicator_id", "amount")
    }
    unit_ids_with_quota = {unit_id for unit_id, _ in quotas}
    units = list(Unit.objects.filter(Q(is_active=True) | Q(pk__in=unit_ids_with_quota)))
    tasks = {
        t.indicator_id: t.amount
        for t in DistrictTask.objects.filter(year__year=year).only("indicator_id", "amount")
    }
    return units, indicators, quotas, tasks


def quota_sums(indicators, quotas: dict) -> dict[int, Decimal]:
    sums = {ind.pk: Decimal("0") for ind in indicators}
    for (_unit_id, indicator_id), amount in quotas.items():
        sums[indicator_id] += amount
    return sums


def unit_quotas(unit: Unit, year: int) -> list[Quota]:
    return list(
        Quota.objects.filter(unit=unit, year__year=year)
        .select_related("indicator")
        .order_by("indicator__display_order")
    )


# --- progress against the quotas (完成数, 完成率, 序时进度, 同比) ------------------------------


def _indicator_codes(codes: dict[int, str] | None) -> dict[int, str]:
    """Indicator id → code: the caller's (it has read the indicators already) or read now."""
    return codes if codes is not None else dict(Indicator.objects.values_list("id", "code"))


def rollup_period_totals(
    as_of: dt.date, codes: dict[int, str] | None = None
) -> dict[tuple, Decimal]:
    """(unit id, indicator code) → amount from 1 January to ``as_of``, read from the rollup:
    whole months from the month rows, the current partial month from the day rows.
    ``codes`` (indicator id → code) saves a query when the caller has the indicators."""
    ids = _indicator_codes(codes)
    full_months = as_of.month if is_month_end(as_of) else as_of.month - 1
    cells = Q(year=as_of.year, day=0, month__lte=full_months)
    if full_months < as_of.month:
        cells |= Q(year=as_of.year, month=as_of.month, day__gte=1, day__lte=as_of.day)
    out: dict[tuple, Decimal] = {}
    rows = (
        Rollup.objects.filter(cells)
        .values("unit_id", "indicator_id")
        .annotate(t=Sum("amount"))
        .values_list("unit_id", "indicator_id", "t")
    )
    for unit_id, indicator_id, total in rows:
        if total:
            # SQLite sums decimals as REAL; bring them back to cents (and −0.00 to 0.00).
            out[(unit_id, ids[indicator_id])] = shown(total)
    return out


def tally_period_totals(as_of: dt.date, prefix: str = "") -> dict[str, Decimal]:
    """Tally key → amount from 1 January to ``as_of`` (keys starting with ``prefix``), read
    like :func:`rollup_period_totals`: month rows, then the partial month's day rows."""
    full_months = as_of.month if is_month_end(as_of) else as_of.month - 1
    cells = Q(year=as_of.year, day=0, month__lte=full_months)
    if full_months < as_of.month:
        cells |= Q(year=as_of.year, month=as_of.month, day__gte=1, day__lte=as_of.day)
    rows = Tally.objects.filter(cells)
    if prefix:
        rows = rows.filter(key__startswith=prefix)
    return {
        row["key"]: shown(row["t"])
        for row in rows.values("key").annotate(t=Sum("amount"))
        if row["t"]
    }


def monthly_district_series(
    year: int, codes: dict[int, str] | None = None
) -> dict[str, list[Decimal]]:
    """Indicator code → cumulative district total at the end of each month (12 values);
    ``codes`` as for :func:`rollup_period_totals`."""
    ids = _indicator_codes(codes)
    by_month: dict[str, list[Decimal]] = {code: [Decimal(0)] * 12 for code in ids.values()}
    for row in (
        Rollup.objects.filter(year=year, day=0)
        .values("indicator_id", "month")
        .annotate(t=Sum("amount"))
    ):
        by_month[ids[row["indicator_id"]]][row["month"] - 1] += shown(row["t"])
    cumulative = {}
    for code, values in by_month.items():
        running, series = Decimal(0), []
        for value in values:
            running += value
            series.append(running)
        cumulative[code] = series
    return cumulative


def district_series(year: int, codes: dict[int, str] | None = None) -> dict[str, list[Decimal]]:
    """:func:`monthly_district_series`, kept while the figures stand (targets.report_cache)."""
    return report_cache.cached(("series", year), lambda: monthly_district_series(year, codes))


# --- the assessment scheme (考核方案) ------------------------------------------------------


def scheme_entries(year: int) -> list[SchemeEntry]:
    """The year's scheme lines, in indicator order (one query)."""
    return list(
        SchemeEntry.objects.filter(year__year=year)
        .select_related("indicator")
        .order_by("indicator__display_order", "indicator__code")
    )


def scheme_weightings(year: int) -> dict[str, scoring.Weighting]:
    """Indicator code → its weighting in ``year`` (one query); empty when the year has no
    scheme lines, which scoring reads as "every indicator weighs 1 at 120%"."""
    return {
        code: scoring.Weighting(weight, cap / 100, decides)
        for code, weight, cap, decides in SchemeEntry.objects.filter(year__year=year).values_list(
            "indicator__code", "weight", "cap_percent", "decides_deposit"
        )
    }


def deposit_indicator_ids(year: int) -> set[int]:
    """The ids of the indicators whose quotas decide the deposit in ``year``: every
    indicator in a year without scheme lines, else those whose line says so."""
    lines = dict(
        SchemeEntry.objects.filter(year__year=year).values_list("indicator_id", "decides_deposit")
    )
    if not lines:
        return set(Indicator.objects.values_list("pk", flat=True))
    return {pk for pk, decides in lines.items() if decides}


def deposit_quotas(year: int):
    """The positive quotas of ``year`` on indicators that decide the deposit: a unit owes a
    deposit iff it holds one (DOMAIN.md "Risk deposits")."""
    return Quota.objects.filter(
        year__year=year, amount__gt=0, indicator_id__in=deposit_indicator_ids(year)
    )


def adjustment_totals(year: int) -> dict[int, Decimal]:
    """Unit id → the sum of its 加减分 in ``year`` (one query); they count at every as-of
    date of their year."""
    return {
        row["unit_id"]: shown(row["t"])
        for row in ScoreAdjustment.objects.filter(year__year=year)
        .order_by()
        .values("unit_id")
        .annotate(t=Sum("points"))
        if row["t"] is not None
    }


def unit_adjustments(unit: Unit, year: int) -> list[ScoreAdjustment]:
    return list(
        ScoreAdjustment.objects.filter(unit=unit, year__year=year)
        .select_related("entered_by")
        .order_by("entered_at", "pk")
    )
