"""The year's assessment scheme (考核方案) as arithmetic: pure functions, no database.

综合得分 = Σ weight × min(完成率, cap) ÷ Σ weight × 100 (得分, over the unit's indicators with
a positive quota) plus the unit's bonus and deduction points (加减分). Everything is exact;
rounding happens when a figure is shown, and ties are judged on the shown 综合得分
(common.rounding, 四舍五入 to two decimals). DOMAIN.md "The assessment scheme".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from common.rounding import shown

HUNDRED = Decimal(100)
ZERO = Decimal(0)
DEFAULT_WEIGHT = Decimal(1)
DEFAULT_CAP = Decimal("1.2")  # 封顶 120%
DEFAULT_BOARD_SIZE = 5

T = TypeVar("T")


@dataclass(frozen=True)
class Weighting:
    """How one indicator counts in a year: weight, cap (a fraction: 1.2 for 120%) and
    whether it decides the deposit."""

    weight: Decimal
    cap: Decimal = DEFAULT_CAP
    decides_deposit: bool = True


DEFAULT_WEIGHTING = Weighting(DEFAULT_WEIGHT, DEFAULT_CAP, True)
UNWEIGHTED = Weighting(ZERO, DEFAULT_CAP, False)


def weighting(scheme: Mapping[str, Weighting], code: str) -> Weighting:
    """An indicator's weighting in a year whose scheme lines are ``scheme`` (code → line):
    a year without lines weighs every indicator 1 at 120% and lets it decide the deposit;
    once a year has lines, an indicator without one weighs 0 and does not decide it."""
    if not scheme:
        return DEFAULT_WEIGHTING
    return scheme.get(code, UNWEIGHTED)


def decides_deposit(scheme: Mapping[str, Weighting], code: str) -> bool:
    return weighting(scheme, code).decides_deposit


def capped(rate: Decimal, cap: Decimal) -> Decimal:
    """min(完成率, 封顶): a cap never raises a rate."""
    return min(rate, cap)


@dataclass(frozen=True)
class Part:
    """One indicator's share of a unit's 得分: rate, capped rate, weight and its points
    (weight × capped rate ÷ Σ weight × 100)."""

    code: str
    rate: Decimal
    capped_rate: Decimal
    weight: Decimal
    points: Decimal


@dataclass(frozen=True)
class Score:
    """A unit's score: ``base`` 得分, ``adjustment`` 加减分, ``total`` 综合得分; ``base`` and
    ``total`` are None when the unit has no positive quota (it is not ranked)."""

    parts: tuple[Part, ...]
    base: Decimal | None
    adjustment: Decimal
    total: Decimal | None

    @property
    def shown_total(self) -> Decimal | None:
        return shown(self.total)


def unit_score(
    rates: Mapping[str, Decimal | None],
    scheme: Mapping[str, Weighting],
    adjustment: Decimal = ZERO,
) -> Score:
    """得分, 加减分 and 综合得分 from the unit's completion rates (code → exact 完成率, None
    where it has no positive quota). When every indicator with a quota weighs 0 the 得分 is
    0 (the unit has a task, so it is ranked, but nothing of it is scored)."""
    adjustment = Decimal(adjustment)
    rated = [(code, Decimal(rate)) for code, rate in rates.items() if rate is not None]
    if not rated:
        return Score((), None, adjustment, None)
    lines = [(code, rate, weighting(scheme, code)) for code, rate in rated]
    total_weight = sum((w.weight for _c, _r, w in lines), ZERO)
    parts = []
    for code, rate, w in lines:
        capped_rate = capped(rate, w.cap)
        points = w.weight * capped_rate * HUNDRED / total_weight if total_weight else ZERO
        parts.append(Part(code, rate, capped_rate, w.weight, points))
    base = sum((part.points for part in parts), ZERO)
    return Score(tuple(parts), base, adjustment, base + adjustment)


def rank(
    items: Iterable[T], total: Callable[[T], Decimal | None], code: Callable[[T], str]
) -> list[tuple[int, T]]:
    """(名次, item), best first, of the items that have a ``total``: equal *shown* totals
    share a place (1, 1, 3) and are listed by ``code`` (单位编码)."""
    scored = [(shown(total(item)), code(item), item) for item in items]
    scored = [entry for entry in scored if entry[0] is not None]
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    places: list[tuple[int, T]] = []
    previous, place = None, 0
    for index, (figure, _code, item) in enumerate(scored, start=1):
        if figure != previous:
            place, previous = index, figure
        places.append((place, item))
    return places


def boards(
    places: Sequence[tuple[int, T]], size: int, total: Callable[[T], Decimal | None]
) -> tuple[list[tuple[int, T]], list[tuple[int, T]]]:
    """红黑榜 from a ranking (as :func:`rank` gives it): the top ``size`` and the bottom
    ``size``, each taking in everyone tied at its cut. Both lists keep the ranking's order;
    a unit on the red list is not also put on the black one (a short ranking)."""
    if size < 1 or not places:
        return [], []
    top = [(place, item) for place, item in places if place <= size]
    figures = [shown(total(item)) for _place, item in places]
    bottom = []
    for index, (place, item) in enumerate(places):
        worse = sum(1 for other in figures if other < figures[index])
        if worse < size:
            bottom.append((place, item))
    on_top = {id(item) for _place, item in top}
    bottom = [(place, item) for place, item in bottom if id(item) not in on_top]
    return top, bottom
