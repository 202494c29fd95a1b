"""Keeping targets.models.Rollup equal to the live aggregate of the records.

Every service that changes something that counts calls :func:`track`: it takes the
contributions of the affected records before and after the change and applies the
difference as increments (``amount = amount + delta``), which stays correct when two
transactions touch the same cell at once.

What counts (DOMAIN.md):
- fdi_actual: verified inflows of foreign projects, by arrival date;
- domestic_actual: verified inflows of domestic projects whose origin is not the year's
  home province, by arrival date;
- fdi_contract / foreign_projects: contract amount / count of foreign projects, by
  approval date;
- domestic_projects: count of domestic projects from outside the home province, by
  signing date.
A project counts once it has reached signing (terminated projects keep counting: they were
signed or approved in that year); inflows count only while verified.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from targets import indicators as codes
from targets.models import DEFAULT_HOME_PROVINCE, AssessmentYear, CapitalType, Indicator, Rollup

ONE = Decimal(1)
# Stages at which a project counts toward the project and contract indicators.
COUNTED_STAGES = frozenset({"signed", "started", "producing", "terminated"})


@dataclass(frozen=True)
class Contribution:
    unit_id: int
    indicator: str
    day: dt.date
    amount: Decimal


class Context:
    """Look-ups that contributions need: home province per year, indicator ids."""

    def __init__(self) -> None:
        self._provinces = dict(AssessmentYear.objects.values_list("year", "home_province"))
        self.indicator_ids = dict(Indicator.objects.values_list("code", "id"))

    def home_province(self, year: int) -> str:
        return self._provinces.get(year, DEFAULT_HOME_PROVINCE)


def project_contributions(project, ctx: Context) -> list[Contribution]:
    """What a project itself adds (its inflows are counted separately)."""
    if project.pk is None or project.stage not in COUNTED_STAGES:
        return []
    out = []
    if project.capital_type == CapitalType.FOREIGN and project.approved_on:
        out.append(Contribution(project.unit_id, codes.FOREIGN_PROJECTS, project.approved_on, ONE))
        if project.contract_amount:
            out.append(
                Contribution(
                    project.unit_id,
                    codes.FDI_CONTRACT,
                    project.approved_on,
                    project.contract_amount,
                )
            )
    elif (
        project.capital_type == CapitalType.DOMESTIC
        and project.signed_on
        and project.origin != ctx.home_province(project.signed_on.year)
    ):
        out.append(Contribution(project.unit_id, codes.DOMESTIC_PROJECTS, project.signed_on, ONE))
    return out


def inflow_contributions(inflow, project, ctx: Context) -> list[Contribution]:
    """What a verified inflow adds; nothing while pending, returned or voided."""
    if inflow.pk is None or inflow.status != "verified":
        return []
    if project.capital_type == CapitalType.FOREIGN:
        return [Contribution(project.unit_id, codes.FDI_ACTUAL, inflow.arrived_on, inflow.amount)]
    if project.origin != ctx.home_province(inflow.arrived_on.year):
        return [
            Contribution(project.unit_id, codes.DOMESTIC_ACTUAL, inflow.arrived_on, inflow.amount)
        ]
    return []


def project_with_inflows(project, ctx: Context) -> list[Contribution]:
    """A project's own contributions plus those of all its verified inflows."""
    out = project_contributions(project, ctx)
    if project.pk is not None:
        for inflow in project.inflows.filter(status="verified").only(
            "id", "status", "arrived_on", "amount", "project_id"
        ):
            out.extend(inflow_contributions(inflow, project, ctx))
    return out


class Delta:
    """Contributions netted as they come (for imports): memory bounded by the cells touched,
    not by the number of records."""

    def __init__(self) -> None:
        self.cells: dict[tuple, Decimal] = defaultdict(Decimal)

    def add(self, contributions: Iterable[Contribution]) -> None:
        for c in contributions:
            self.cells[(c.unit_id, c.indicator, c.day)] += c.amount

    def remove(self, contributions: Iterable[Contribution]) -> None:
        for c in contributions:
            self.cells[(c.unit_id, c.indicator, c.day)] -= c.amount

    def before(self) -> list[Contribution]:
        return []

    def after(self) -> list[Contribution]:
        return [Contribution(u, i, d, a) for (u, i, d), a in self.cells.items() if a]


def _net(before: Iterable[Contribution], after: Iterable[Contribution]) -> dict:
    delta: dict[tuple, Decimal] = defaultdict(Decimal)
    for c in before:
        delta[(c.unit_id, c.indicator, c.day)] -= c.amount
    for c in after:
        delta[(c.unit_id, c.indicator, c.day)] += c.amount
    return {key: amount for key, amount in delta.items() if amount != 0}


def _bump(unit_id: int, indicator_id: int, year: int, month: int, day: int, delta) -> None:
    cell = Rollup.objects.filter(
        unit_id=unit_id, indicator_id=indicator_id, year=year, month=month, day=day
    )
    if cell.update(amount=F("amount") + delta):
        return
    try:
        with transaction.atomic():
            Rollup.objects.create(
                unit_id=unit_id,
                indicator_id=indicator_id,
                year=year,
                month=month,
                day=day,
                amount=delta,
            )
    except IntegrityError:  # another transaction created the cell first
        cell.update(amount=F("amount") + delta)


def apply(before: Iterable[Contribution], after: Iterable[Contribution], ctx: Context) -> int:
    """Apply the difference between two sets of contributions; returns the cells touched."""
    delta = _net(before, after)
    for (unit_id, indicator, day), amount in delta.items():
        indicator_id = ctx.indicator_ids[indicator]
        _bump(unit_id, indicator_id, day.year, day.month, 0, amount)
        _bump(unit_id, indicator_id, day.year, day.month, day.day, amount)
    return len(delta)


@contextmanager
def track(collect):
    """``with track(lambda ctx: contributions):`` around a change keeps the rollup right.

    ``collect(ctx)`` is called before the body (on the state about to change) and after it
    (on the new state); both calls must read the records afresh.
    """
    ctx = Context()
    before = collect(ctx)
    yield
    apply(before, collect(ctx), ctx)


@transaction.atomic
def rebuild(year: int | None = None) -> int:
    """Recompute the rollup from the records (all years, or one); returns rows written."""
    from targets.selectors import raw_daily_totals

    ctx = Context()
    rows = Rollup.objects.all() if year is None else Rollup.objects.filter(year=year)
    rows.delete()
    daily = raw_daily_totals(ctx, year=year)
    monthly: dict[tuple, Decimal] = defaultdict(Decimal)
    new_rows = []
    for (unit_id, indicator, day), amount in daily.items():
        monthly[(unit_id, indicator, day.year, day.month)] += amount
        new_rows.append(
            Rollup(
                unit_id=unit_id,
                indicator_id=ctx.indicator_ids[indicator],
                year=day.year,
                month=day.month,
                day=day.day,
                amount=amount,
            )
        )
    new_rows.extend(
        Rollup(
            unit_id=unit_id,
            indicator_id=ctx.indicator_ids[indicator],
            year=y,
            month=m,
            day=0,
            amount=amount,
        )
        for (unit_id, indicator, y, m), amount in monthly.items()
    )
    Rollup.objects.bulk_create(new_rows, batch_size=2000)
    return len(new_rows)


def apply_bulk(before: Iterable[Contribution], after: Iterable[Contribution], ctx: Context) -> int:
    """:func:`apply` for many cells at once (imports): the affected month and day cells are
    read under a row lock in one query per year, then updated and created in bulk."""
    delta = _net(before, after)
    if not delta:
        return 0
    cells: dict[tuple, Decimal] = defaultdict(Decimal)
    for (unit_id, indicator, day), amount in delta.items():
        indicator_id = ctx.indicator_ids[indicator]
        cells[(day.year, day.month, 0, unit_id, indicator_id)] += amount
        cells[(day.year, day.month, day.day, unit_id, indicator_id)] += amount
    existing = {}
    for year in {key[0] for key in cells}:
        months = {key[1] for key in cells if key[0] == year}
        for row in Rollup.objects.select_for_update().filter(year=year, month__in=months):
            existing[(row.year, row.month, row.day, row.unit_id, row.indicator_id)] = row
    to_update, to_create = [], []
    for key, amount in cells.items():
        row = existing.get(key)
        if row is None:
            year, month, day, unit_id, indicator_id = key
            to_create.append(
                Rollup(
                    year=year,
                    month=month,
                    day=day,
                    unit_id=unit_id,
                    indicator_id=indicator_id,
                    amount=amount,
                )
            )
        else:
            row.amount += amount
            to_update.append(row)
    Rollup.objects.bulk_update(to_update, ["amount"], batch_size=1000)
    Rollup.objects.bulk_create(to_create, batch_size=1000)
    return len(delta)
