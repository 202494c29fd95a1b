"""The rollup (targets.models.Rollup) and the small API that keeps it equal to the live
aggregate of the records.

targets knows nothing of the records themselves: the app that owns what counts
(projects.counting) turns its records into :class:`Contribution` values and, in the same
transaction as its change, hands them here. :func:`track` takes the contributions of the
affected records before and after a change and applies the difference as increments
(``amount = amount + delta``), which stays correct when two transactions touch the same cell
at once; :class:`Delta` and :func:`apply_bulk` do the same for imports; :func:`replace`
writes a year's cells afresh (a rebuild from the records).
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

from targets.models import DEFAULT_HOME_PROVINCE, AssessmentYear, Indicator, Rollup


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
def replace(daily: dict[tuple, Decimal], ctx: Context, year: int | None = None) -> int:
    """Replace the rollup (all years, or one) by ``daily``: (unit id, indicator code, day) →
    amount, the owner's totals straight from its records. Returns the rows written."""
    rows = Rollup.objects.all() if year is None else Rollup.objects.filter(year=year)
    rows.delete()
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
