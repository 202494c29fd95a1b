"""Reads for the quota grid and the unit pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from common.rounding import shown
from targets import indicators as codes
from targets.models import (
    MAX_YEAR,
    MIN_YEAR,
    AssessmentYear,
    DistrictTask,
    Indicator,
    Quota,
    Rollup,
    default_deposit_due_date,
)
from targets.progress import is_month_end
from targets.rollups import COUNTED_STAGES
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


def _counted_projects():
    from projects.models import Project

    return Project.objects.filter(stage__in=COUNTED_STAGES)


def _verified_inflows():
    from projects.models import Inflow

    return Inflow.objects.filter(status="verified")


def raw_daily_totals(ctx, year: int | None = None) -> dict[tuple, Decimal]:
    """(unit id, indicator code, day) → amount, straight from the records (for rebuilds)."""
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    inflows = _verified_inflows()
    projects = _counted_projects()
    if year is not None:
        inflows = inflows.filter(arrived_on__year=year)
    for row in (
        inflows.filter(project__capital_type="foreign")
        .values("project__unit_id", "arrived_on")
        .annotate(total=Sum("amount"))
    ):
        out[(row["project__unit_id"], codes.FDI_ACTUAL, row["arrived_on"])] += row["total"]
    for row in (
        inflows.filter(project__capital_type="domestic")
        .values("project__unit_id", "arrived_on", "project__origin")
        .annotate(total=Sum("amount"))
    ):
        day = row["arrived_on"]
        if row["project__origin"] != ctx.home_province(day.year):
            out[(row["project__unit_id"], codes.DOMESTIC_ACTUAL, day)] += row["total"]
    foreign = projects.filter(capital_type="foreign", approved_on__isnull=False)
    if year is not None:
        foreign = foreign.filter(approved_on__year=year)
    for row in foreign.values("unit_id", "approved_on").annotate(
        n=Count("id"), total=Sum("contract_amount")
    ):
        out[(row["unit_id"], codes.FOREIGN_PROJECTS, row["approved_on"])] += Decimal(row["n"])
        if row["total"]:
            out[(row["unit_id"], codes.FDI_CONTRACT, row["approved_on"])] += row["total"]
    domestic = projects.filter(capital_type="domestic", signed_on__isnull=False)
    if year is not None:
        domestic = domestic.filter(signed_on__year=year)
    for row in domestic.values("unit_id", "signed_on", "origin").annotate(n=Count("id")):
        day = row["signed_on"]
        if row["origin"] != ctx.home_province(day.year):
            out[(row["unit_id"], codes.DOMESTIC_PROJECTS, day)] += Decimal(row["n"])
    return {key: amount for key, amount in out.items() if amount}


def raw_period_totals(start: dt.date, end: dt.date, home_province: str) -> dict[tuple, Decimal]:
    """(unit id, indicator code) → amount over [start, end], aggregated over the raw records.

    The dashboard reads the rollup instead; this is the reference it must agree with, and
    the "bare aggregate" the benchmark compares against.
    """
    out: dict[tuple, Decimal] = {}
    inflows = _verified_inflows().filter(arrived_on__range=(start, end))
    for row in (
        inflows.values("project__unit_id", "project__capital_type")
        .filter(~Q(project__capital_type="domestic") | ~Q(project__origin=home_province))
        .annotate(total=Sum("amount"))
    ):
        code = (
            codes.FDI_ACTUAL
            if row["project__capital_type"] == "foreign"
            else (codes.DOMESTIC_ACTUAL)
        )
        out[(row["project__unit_id"], code)] = row["total"]
    projects = _counted_projects()
    for row in (
        projects.filter(capital_type="foreign", approved_on__range=(start, end))
        .values("unit_id")
        .annotate(n=Count("id"), total=Sum("contract_amount"))
    ):
        out[(row["unit_id"], codes.FOREIGN_PROJECTS)] = Decimal(row["n"])
        if row["total"]:
            out[(row["unit_id"], codes.FDI_CONTRACT)] = row["total"]
    for row in (
        projects.filter(capital_type="domestic", signed_on__range=(start, end))
        .exclude(origin=home_province)
        .values("unit_id")
        .annotate(n=Count("id"))
    ):
        out[(row["unit_id"], codes.DOMESTIC_PROJECTS)] = Decimal(row["n"])
    return out


def rollup_period_totals(as_of: dt.date) -> dict[tuple, Decimal]:
    """(unit id, indicator code) → amount from 1 January to ``as_of``, read from the rollup:
    whole months from the month rows, the current partial month from the day rows."""
    ids = dict(Indicator.objects.values_list("id", "code"))
    full_months = as_of.month if is_month_end(as_of) else as_of.month - 1
    cells = Q(year=as_of.year, day=0, month__lte=full_months)
    if full_months < as_of.month:
        cells |= Q(year=as_of.year, month=as_of.month, day__gte=1, day__lte=as_of.day)
    out: dict[tuple, Decimal] = {}
    for row in (
        Rollup.objects.filter(cells).values("unit_id", "indicator_id").annotate(t=Sum("amount"))
    ):
        if row["t"]:
            # SQLite sums decimals as REAL; bring them back to cents (and −0.00 to 0.00).
            out[(row["unit_id"], ids[row["indicator_id"]])] = shown(row["t"])
    return out


def monthly_district_series(year: int) -> dict[str, list[Decimal]]:
    """Indicator code → cumulative district total at the end of each month (12 values)."""
    ids = dict(Indicator.objects.values_list("id", "code"))
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


# --- the park, promotion events and the pipeline --------------------------------------


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if not whole else Decimal(part) / Decimal(whole)


def park_share(year: int, as_of: dt.date) -> list[dict]:
    """Park-introduced projects and money against all, from 1 January to ``as_of``."""
    from projects.models import Project

    start = dt.date(year, 1, 1)
    rows = []
    signed = Project.objects.filter(signed_on__range=(start, as_of))
    for capital, label, measure in (
        ("foreign", _("外资"), _("万美元")),
        ("domestic", _("内资"), _("万元")),
    ):
        projects = signed.filter(capital_type=capital)
        totals = projects.aggregate(
            n=Count("id"),
            park_n=Count("id", filter=Q(is_park_project=True)),
            contract=Sum("contract_amount"),
            park_contract=Sum("contract_amount", filter=Q(is_park_project=True)),
        )
        money = (
            _verified_inflows()
            .filter(arrived_on__range=(start, as_of), project__capital_type=capital)
            .aggregate(
                total=Sum("amount"), park=Sum("amount", filter=Q(project__is_park_project=True))
            )
        )
        for what, park, whole, unit in (
            (_("%(kind)s签约项目数"), totals["park_n"], totals["n"], _("个")),
            (_("%(kind)s合同金额"), totals["park_contract"] or 0, totals["contract"] or 0, measure),
            (_("%(kind)s已核实到位资金"), money["park"] or 0, money["total"] or 0, measure),
        ):
            rows.append(
                {
                    "label": what % {"kind": label},
                    "unit": unit,
                    "park": Decimal(park or 0),
                    "total": Decimal(whole or 0),
                    "share": _share(park or 0, whole or 0),
                }
            )
    return rows


def event_results(year: int, as_of: dt.date) -> list[dict]:
    """Per promotion event: projects signed there in the period and their contract amounts."""
    from projects.models import Project, PromotionEvent

    start = dt.date(year, 1, 1)
    results = {
        event.pk: {
            "event": event,
            "foreign_n": 0,
            "domestic_n": 0,
            "foreign_amount": Decimal(0),
            "domestic_amount": Decimal(0),
        }
        for event in PromotionEvent.objects.filter(held_on__range=(start, as_of))
    }
    grouped = (
        Project.objects.filter(event__isnull=False, signed_on__range=(start, as_of))
        .values("event_id", "capital_type")
        .annotate(n=Count("id"), amount=Sum("contract_amount"))
    )
    missing = {row["event_id"] for row in grouped} - set(results)
    for event in PromotionEvent.objects.filter(pk__in=missing):
        results[event.pk] = {
            "event": event,
            "foreign_n": 0,
            "domestic_n": 0,
            "foreign_amount": Decimal(0),
            "domestic_amount": Decimal(0),
        }
    for row in grouped:
        entry = results[row["event_id"]]
        entry[f"{row['capital_type']}_n"] = row["n"]
        entry[f"{row['capital_type']}_amount"] = row["amount"] or Decimal(0)
    return sorted(results.values(), key=lambda e: (e["event"].held_on, e["event"].name))


def pipeline(year: int, as_of: dt.date) -> dict:
    """Projects of the year by stage, 履约率 (signed projects that started) and 成功率."""
    from projects.models import STAGE_ORDER, Project, Stage

    start = dt.date(year, 1, 1)
    in_year = Project.objects.filter(
        Q(signed_on__range=(start, as_of))
        | Q(signed_on__isnull=True, created_at__date__range=(start, as_of))
    )
    counts = dict(in_year.values_list("stage").annotate(n=Count("id")))
    stages = [
        {"stage": stage, "label": stage.label, "count": counts.get(stage.value, 0)}
        for stage in [*STAGE_ORDER, Stage.TERMINATED]
    ]
    signed = sum(counts.get(s, 0) for s in ("signed", "started", "producing"))
    started = sum(counts.get(s, 0) for s in ("started", "producing"))
    total = sum(counts.values())
    return {
        "stages": stages,
        "total": total,
        "signed": signed,
        "started": started,
        "fulfilment": _share(started, signed),
        "success": _share(signed, total),
    }
