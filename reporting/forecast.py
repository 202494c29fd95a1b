"""The year-end forecast of every unit and indicator, read from the records.

The method is targets.forecast (pure, documented there); this module gathers its inputs with
a fixed number of queries: the progress report (the rollup), the district's monthly totals
of past years (the rollup's month rows), and for the two money indicators the signed
projects' contract amounts not yet arrived and the historic arrival rate (projects, one
pass, kept for a few minutes: :func:`kept_pipeline`).
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from common.rounding import shown_percent
from projects.models import Inflow, InflowStatus, Project, Stage
from targets import forecast, report_cache
from targets import indicators as codes
from targets.models import CapitalType, Rollup
from targets.progress import completed_months
from targets.reports import ProgressReport, UnitProgress, csv_text, quantity

ZERO = Decimal(0)
PAST_YEARS = 5  # the profile is the mean of at most this many past years
# The money indicators and the projects whose contract money they wait for.
MONEY = {codes.FDI_ACTUAL: CapitalType.FOREIGN, codes.DOMESTIC_ACTUAL: CapitalType.DOMESTIC}
# Signed projects that may still bring money (a terminated one takes no new inflows).
OPEN_STAGES = (Stage.SIGNED, Stage.STARTED, Stage.PRODUCING)
LOCK_CLASS = 15_001  # PostgreSQL advisory locks: the class of the pipeline's one-reader lock

CSV_HEADER = ["单位编码", "单位名称", "指标", "任务数", "完成数", "预计全年", "预计完成率", "预警"]
WARNING = "是"


@dataclass(frozen=True)
class Forecast:
    unit: object
    indicator: object
    quota: Decimal | None
    counted: Decimal
    year_end: Decimal
    decides_deposit: bool

    @property
    def rate(self) -> Decimal | None:
        if self.quota is None or self.quota <= 0:
            return None
        return self.year_end / self.quota

    @property
    def warning(self) -> bool:
        """预警: a deposit-deciding quota the forecast misses (exact figures: money decisions
        are not taken on rounded ones)."""
        return self.decides_deposit and self.rate is not None and self.rate < 1

    @property
    def arrives(self) -> bool:
        """Money that arrives (实际到位): its gap reads "还需到位约 X"."""
        return self.indicator.code in MONEY

    @property
    def gap(self) -> Decimal | None:
        """还需到位约 X: what the unit still needs beyond the forecast to meet its quota."""
        if not self.warning:
            return None
        return self.quota - self.year_end


def past_monthly_totals(year: int, indicator_codes) -> dict[str, list[list[Decimal]]]:
    """indicator code → for each of the (at most PAST_YEARS) previous years with figures, the
    district's twelve monthly totals. One query over the rollup's month rows."""
    rows = (
        Rollup.objects.filter(year__lt=year, year__gte=year - PAST_YEARS, day=0)
        .filter(indicator__code__in=list(indicator_codes))
        .values_list("indicator__code", "year", "month")
        .annotate(total=Sum("amount"))
    )
    by_year: dict[tuple[str, int], list[Decimal]] = {}
    for code, past_year, month, total in rows:
        by_year.setdefault((code, past_year), [ZERO] * 12)[month - 1] += total or ZERO
    profiles: dict[str, list[list[Decimal]]] = defaultdict(list)
    for (code, _past_year), monthly in sorted(by_year.items()):
        profiles[code].append(monthly)
    return profiles


@dataclass(frozen=True)
class Pipeline:
    """The forecast's inputs from the projects, for one period: per capital type the
    historic arrival rate and, per unit, the contract money of its open signed projects not
    yet arrived. One pass over the projects and their verified money: at a million inflows
    it is the costly part of a forecast, so it is kept for FORECAST_PIPELINE_SECONDS
    (pages say when it was read); the counted figures are always the report's own."""

    computed_at: dt.datetime
    rates: dict[str, Decimal]
    owed: dict[str, dict[int, Decimal]]


def read_pipeline(year: int, as_of: dt.date, home_province: str) -> Pipeline:
    """Every counting signed project with a contract, its verified money by ``as_of``: the
    historic rate (projects signed before ``year``: money arrived ÷ contracted) and what
    the open ones (signed by ``as_of``) still owe, per unit, each project at least 0.

    Two queries: the projects, and the verified money per project (read from the partial
    index projects_inflow_verified_money alone, in project order)."""
    rows = (
        Project.objects.counted()
        .filter(capital_type__in=list(MONEY.values()), signed_on__isnull=False)
        .filter(contract_amount__gt=0)
        .values_list(
            "pk", "unit_id", "capital_type", "origin", "stage", "signed_on", "contract_amount"
        )
        .order_by()
    )
    money = dict(
        Inflow.objects.filter(status=InflowStatus.VERIFIED, arrived_on__lte=as_of)
        .values_list("project_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    first_day = dt.date(year, 1, 1)
    contracted: dict[str, Decimal] = defaultdict(lambda: ZERO)
    arrived_before: dict[str, Decimal] = defaultdict(lambda: ZERO)
    owed: dict[str, dict[int, Decimal]] = {
        kind: defaultdict(lambda: ZERO) for kind in MONEY.values()
    }
    for pk, unit_id, kind, origin, stage, signed_on, contract in rows:
        if kind == CapitalType.DOMESTIC and origin == home_province:
            continue  # 本省 money does not count (DOMAIN.md)
        arrived = money.get(pk) or ZERO
        if signed_on < first_day:
            contracted[kind] += contract
            arrived_before[kind] += arrived
        if stage in OPEN_STAGES and signed_on <= as_of:
            owed[kind][unit_id] += max(contract - arrived, ZERO)
    rates = {
        kind: forecast.arrival_rate(contracted[kind], arrived_before[kind])
        for kind in MONEY.values()
    }
    return Pipeline(timezone.now(), rates, {kind: dict(by_unit) for kind, by_unit in owed.items()})


def kept_pipeline(year: int, as_of: dt.date, home_province: str) -> Pipeline:
    """:func:`read_pipeline`, kept for FORECAST_PIPELINE_SECONDS per period (not when read
    inside a transaction, which may still roll back)."""
    key = f"forecast-pipeline:{year}:{as_of.isoformat()}:{home_province}"
    kept = cache.get(key)
    if kept is not None:
        return kept
    if not report_cache.may_keep():
        return read_pipeline(year, as_of, home_province)
    with _one_reader(key):
        kept = cache.get(key)  # another process may have read it while this one waited
        if kept is not None:
            return kept
        value = read_pipeline(year, as_of, home_province)
        cache.set(key, value, settings.FORECAST_PIPELINE_SECONDS)
    return value


@contextmanager
def _one_reader(key: str):
    """On PostgreSQL, one process at a time reads the pipeline of a period (a session
    advisory lock on the key): when the kept reading runs out, or on a cold start, the
    server's workers do not all read the projects at once (0.7 s each at 1.1M inflows,
    fighting for the same cores); the others wait for the first and take what it kept."""
    if connection.vendor != "postgresql":
        yield
        return
    lock = zlib.crc32(key.encode()) - 2**31  # a signed 32-bit key
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, lock])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, lock])


def deposit_indicators(report: ProgressReport) -> set[str]:
    """The indicators that decide the deposit: the year's scheme says which (DOMAIN.md; a year
    without scheme rows lets every indicator with a quota decide it)."""
    return set(report.deposit_codes)


def build_forecasts(report: ProgressReport, unit=None) -> list[Forecast]:
    """A forecast per unit and indicator, in the report's order (units, then indicators);
    only ``unit``'s when given. A fixed number of queries."""
    rows = [row for row in report.units if unit is None or row.unit.pk == unit.pk]
    unit_ids = None if unit is None else [unit.pk]
    months = completed_months(report.as_of)
    profiles = past_monthly_totals(report.year, [ind.code for ind in report.indicators])
    shares = {
        ind.code: forecast.remaining_share(profiles.get(ind.code, []), months)
        for ind in report.indicators
    }
    read = kept_pipeline(report.year, report.as_of, report.home_province)
    pipelines = {}
    for code, capital_type in MONEY.items():
        rate = read.rates[capital_type]
        pipelines[code] = {
            unit_id: forecast.pipeline_remaining(amount, rate, months)
            for unit_id, amount in read.owed[capital_type].items()
            if unit_ids is None or unit_id in unit_ids
        }
    deciding = deposit_indicators(report)
    result = []
    for row in rows:
        for ind in report.indicators:
            result.append(_forecast(row, ind, months, shares, pipelines, deciding))
    return result


def kept_forecasts(report: ProgressReport) -> list[Forecast]:
    """:func:`build_forecasts` of the whole district, worked out once per kept report and
    pipeline read (targets.report_cache.derived): the forecast page and the homes share it."""
    read_at = kept_pipeline(report.year, report.as_of, report.home_province).computed_at
    return report_cache.derived(report, ("forecasts", read_at), lambda: build_forecasts(report))


def _forecast(row: UnitProgress, ind, months, shares, pipelines, deciding) -> Forecast:
    cell = row.cells[ind.code]
    pipeline = pipelines.get(ind.code, {}).get(row.unit.pk, ZERO)
    return Forecast(
        unit=row.unit,
        indicator=ind,
        quota=cell.quota,
        counted=cell.actual,
        year_end=forecast.forecast_year_end(cell.actual, months, shares[ind.code], pipeline),
        decides_deposit=ind.code in deciding,
    )


def warnings_shown(as_of: dt.date) -> bool:
    """Early warnings appear on pages from the month ``FORECAST_WARNINGS_FROM_MONTH`` (July by
    default; DOMAIN.md); the 预警 column of ``forecast_report`` does not wait."""
    return as_of.month >= settings.FORECAST_WARNINGS_FROM_MONTH


def warnings(forecasts: list[Forecast]) -> list[Forecast]:
    """The 预警 of the forecasts: deposit-deciding quotas the forecast misses, largest gap
    relative to the quota first."""
    found = [item for item in forecasts if item.warning]
    return sorted(found, key=lambda item: (item.rate, item.unit.code, item.indicator.code))


def district_forecast(report: ProgressReport, forecasts: list[Forecast]) -> list[dict]:
    """Per indicator: the district's task, what is counted and the sum of the units'
    forecasts (the district forecast is the sum of its units')."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in forecasts:
        totals[item.indicator.code] += item.year_end
    result = []
    for ind in report.indicators:
        cell = report.district[ind.code]
        year_end = totals[ind.code]
        rate = year_end / cell.quota if cell.quota else None
        result.append(
            {"indicator": ind, "quota": cell.quota, "counted": cell.actual,
             "year_end": year_end, "rate": rate}
        )  # fmt: skip
    return result


def value_rows(forecasts: list[Forecast]):
    """The rows of ``forecast_report`` (WORKBOOK.md) as shown values."""
    for item in forecasts:
        count = item.indicator.is_count
        yield [
            item.unit.code,
            item.unit.name,
            item.indicator.code,
            quantity(item.quota, count),
            quantity(item.counted, count),
            quantity(item.year_end, count),
            shown_percent(item.rate) if item.rate is not None else None,
            WARNING if item.warning else None,
        ]


def csv_rows(forecasts: list[Forecast]):
    for row in value_rows(forecasts):
        yield [csv_text(value) for value in row]


# --- the back-test --------------------------------------------------------------------

BACKTEST_HEADER = ["月份", "样本数", "绝对百分比误差中位数", "绝对百分比误差90分位"]


@dataclass(frozen=True)
class BacktestLine:
    month: int
    cases: int
    median: Decimal | None
    p90: Decimal | None


def percentile(values: list[Decimal], fraction: Decimal) -> Decimal | None:
    """The nearest-rank percentile (the smallest value with at least ``fraction`` of the
    values at or below it); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * fraction))
    return ordered[rank - 1]


def _unit_months(years: list[int]):
    """(unit id, code, year) → twelve monthly totals, and (code, year) → the district's."""
    rows = (
        Rollup.objects.filter(year__in=years, day=0)
        .values_list("unit_id", "indicator__code", "year", "month")
        .annotate(total=Sum("amount"))
    )
    units: dict[tuple, list[Decimal]] = {}
    district: dict[tuple, list[Decimal]] = {}
    for unit_id, code, year, month, total in rows:
        units.setdefault((unit_id, code, year), [ZERO] * 12)[month - 1] += total or ZERO
        district.setdefault((code, year), [ZERO] * 12)[month - 1] += total or ZERO
    return units, district


def backtest(years: list[int], home_provinces: dict[int, str]) -> list[BacktestLine]:
    """Replay each complete past year month by month (1–11月): forecast each unit's and
    indicator's year from the months before, with the profile of the years before it and
    its signed projects' outstanding money at that month's end, and compare with what the
    year really brought. Cases are the unit × indicator pairs with a positive year total."""
    wanted = sorted(set(years))
    history = sorted({y - k for y in wanted for k in range(PAST_YEARS + 1)})
    units, district = _unit_months(history)
    errors: dict[int, list[Decimal]] = defaultdict(list)
    for year in wanted:
        for month in range(1, 12):
            month_end = _month_end(year, month)
            pipelines = _backtest_pipelines(year, month, month_end, home_provinces)
            for (unit_id, code, case_year), monthly in units.items():
                actual = sum(monthly, ZERO)
                if case_year != year or actual <= 0:
                    continue
                past = [district[(code, y)] for y in range(year - PAST_YEARS, year)
                        if (code, y) in district]  # fmt: skip
                share = forecast.remaining_share(past, month)
                counted = sum(monthly[:month], ZERO)
                pipeline = pipelines.get(code, {}).get(unit_id, ZERO)
                predicted = forecast.forecast_year_end(counted, month, share, pipeline)
                errors[month].append(abs(predicted - actual) / actual * 100)
    return [
        BacktestLine(
            month=month,
            cases=len(errors[month]),
            median=percentile(errors[month], Decimal("0.5")),
            p90=percentile(errors[month], Decimal("0.9")),
        )
        for month in range(1, 12)
    ]


def _backtest_pipelines(year, month, month_end, home_provinces) -> dict[str, dict]:
    read = read_pipeline(year, month_end, home_provinces.get(year, ""))
    return {
        code: {
            unit_id: forecast.pipeline_remaining(amount, read.rates[capital_type], month)
            for unit_id, amount in read.owed[capital_type].items()
        }
        for code, capital_type in MONEY.items()
    }


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)
