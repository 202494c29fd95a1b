"""The rollup (targets.models.Rollup) and the small API that keeps it equal to the live
aggregate of the records.

targets knows nothing of the records themselves: the app that owns what counts
(projects.counting) turns its records into :class:`Contribution` values and, in the same
transaction as its change, hands them here. :func:`track` takes the contributions of the
affected records before and after a change and applies the difference as increments
(``amount = amount + delta``), which stays correct when two transactions touch the same cell
at once; :class:`Delta` and :func:`apply_bulk` do the same for imports; :func:`replace`
writes a year's cells afresh (a rebuild from the records).

A contribution made with :func:`tally` (its indicator is ``"tally:<key>"``) goes to
targets.models.Tally instead of the Rollup: figures that are not indicators (the park's
share, the pipeline's stages) kept by the same machinery, in the same transaction.
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

from common.bulk import add_to, insert
from targets.models import DEFAULT_HOME_PROVINCE, AssessmentYear, Indicator, Rollup, Tally

TALLY_PREFIX = "tally:"


@dataclass(frozen=True)
class Contribution:
    unit_id: int
    indicator: str
    day: dt.date
    amount: Decimal


def tally(key: str, day: dt.date, amount: Decimal) -> Contribution:
    """A contribution to the Tally cell ``key`` (not to an indicator); no unit."""
    return Contribution(0, TALLY_PREFIX + key, day, amount)


def _tally_key(indicator: str) -> str | None:
    return indicator[len(TALLY_PREFIX) :] if indicator.startswith(TALLY_PREFIX) else None


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


def _bump(model, cell: dict, delta) -> None:
    rows = model.objects.filter(**cell)
    if rows.update(amount=F("amount") + delta):
        return
    try:
        with transaction.atomic():
            model.objects.create(**cell, amount=delta)
    except IntegrityError:  # another transaction created the cell first
        rows.update(amount=F("amount") + delta)


def apply(before: Iterable[Contribution], after: Iterable[Contribution], ctx: Context) -> int:
    """Apply the difference between two sets of contributions; returns the cells touched."""
    delta = _net(before, after)
    for (unit_id, indicator, day), amount in delta.items():
        key = _tally_key(indicator)
        if key is not None:
            model, cell = Tally, {"key": key}
        else:
            model, cell = Rollup, {"unit_id": unit_id, "indicator_id": ctx.indicator_ids[indicator]}
        _bump(model, {**cell, "year": day.year, "month": day.month, "day": 0}, amount)
        _bump(model, {**cell, "year": day.year, "month": day.month, "day": day.day}, amount)
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
    for model in (Rollup, Tally):
        (model.objects.all() if year is None else model.objects.filter(year=year)).delete()
    cells: dict[tuple, Decimal] = defaultdict(Decimal)
    for (unit_id, indicator, day), amount in daily.items():
        cells[(day.year, day.month, 0, unit_id, indicator)] += amount
        cells[(day.year, day.month, day.day, unit_id, indicator)] += amount
    rollup_rows, tally_rows = _new_rows(cells, ctx)
    insert(Rollup, rollup_rows, returning=False)
    insert(Tally, tally_rows, returning=False)
    return len(rollup_rows) + len(tally_rows)


def _new_rows(cells: dict[tuple, Decimal], ctx: Context) -> tuple[list, list]:
    """Rollup and Tally rows for (year, month, day, unit id, indicator code) → amount."""
    rollup_rows, tally_rows = [], []
    for (year, month, day, unit_id, indicator), amount in cells.items():
        key = _tally_key(indicator)
        if key is not None:
            tally_rows.append(Tally(key=key, year=year, month=month, day=day, amount=amount))
        else:
            rollup_rows.append(
                Rollup(
                    unit_id=unit_id,
                    indicator_id=ctx.indicator_ids[indicator],
                    year=year,
                    month=month,
                    day=day,
                    amount=amount,
                )
            )
    return rollup_rows, tally_rows


def apply_bulk(before: Iterable[Contribution], after: Iterable[Contribution], ctx: Context) -> int:
    """:func:`apply` for many cells at once (imports): each affected month and day cell gets
    its increment in the database (``amount = amount + delta``, created when missing), one
    statement per thousand cells, with nothing read first (common.bulk.add_to)."""
    delta = _net(before, after)
    if not delta:
        return 0
    cells: dict[tuple, Decimal] = defaultdict(Decimal)
    for (unit_id, indicator, day), amount in delta.items():
        cells[(day.year, day.month, 0, unit_id, indicator)] += amount
        cells[(day.year, day.month, day.day, unit_id, indicator)] += amount
    rollup_rows, tally_rows = [], []
    for (year, month, day, unit_id, indicator), amount in cells.items():
        key = _tally_key(indicator)
        if key is not None:
            tally_rows.append((year, month, day, key, amount))
        else:
            indicator_id = ctx.indicator_ids[indicator]
            rollup_rows.append((year, month, day, unit_id, indicator_id, amount))
    add_to(Rollup, ("year", "month", "day", "unit_id", "indicator_id"), rollup_rows)
    add_to(Tally, ("year", "month", "day", "key"), tally_rows)
    return len(delta)
