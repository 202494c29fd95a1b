"""The assessment scheme's arithmetic (targets.scoring), without the database: 得分,
综合得分, ranks with ties on the shown score, the 红黑榜, and the scheme's defaults."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from common.rounding import shown
from targets.scoring import (
    DEFAULT_WEIGHTING,
    UNWEIGHTED,
    Weighting,
    boards,
    decides_deposit,
    rank,
    unit_score,
    weighting,
)

rates = st.decimals(min_value=D("0"), max_value=D("30"), places=4, allow_nan=False)
weights = st.decimals(min_value=D("0.01"), max_value=D("100"), places=2, allow_nan=False)
caps = st.decimals(min_value=D("0.5"), max_value=D("3"), places=2, allow_nan=False)
CODES = ("a", "b", "c", "d")


@st.composite
def units_and_scheme(draw):
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=4, unique=True))
    unit_rates = {code: draw(rates) for code in codes}
    scheme = {code: Weighting(draw(weights), draw(caps), draw(st.booleans())) for code in CODES}
    return unit_rates, scheme


def test_the_formula_by_hand():
    scheme = {"a": Weighting(D("30"), D("1.2")), "b": Weighting(D("10"), D("1.5"))}
    # a: 2185% capped at 120%; b: 90%. (30 × 1.2 + 10 × 0.9) ÷ 40 × 100 = 112.5
    score = unit_score({"a": D("21.85"), "b": D("0.9"), "c": None}, scheme, D("-1.5"))
    assert score.base == D("112.5")
    assert score.adjustment == D("-1.5") and score.total == D("111.0")
    assert [(p.code, p.capped_rate, p.points) for p in score.parts] == [
        ("a", D("1.2"), D("90")),
        ("b", D("0.9"), D("22.5")),
    ]


def test_no_positive_quota_means_no_score_even_with_adjustments():
    score = unit_score({"a": None}, {}, D("2"))
    assert score.base is None and score.total is None and score.adjustment == D("2")


def test_a_year_without_scheme_lines_weighs_every_indicator_one_at_120_percent():
    assert weighting({}, "anything") == DEFAULT_WEIGHTING == Weighting(D("1"), D("1.2"), True)
    score = unit_score({"a": D("21.85"), "b": D("0")}, {})
    assert score.total == D("60")  # (120 + 0) ÷ 2
    assert decides_deposit({}, "a")


def test_once_a_year_has_lines_an_indicator_without_one_weighs_zero_and_does_not_decide():
    scheme = {"a": Weighting(D("2"), D("1.2"), True)}
    assert weighting(scheme, "b") == UNWEIGHTED and not decides_deposit(scheme, "b")
    assert unit_score({"a": D("0.5"), "b": D("1")}, scheme).total == D("50")


def test_a_unit_whose_quotas_all_weigh_zero_scores_zero_but_is_ranked():
    scheme = {"a": Weighting(D("2"))}
    score = unit_score({"b": D("1")}, scheme)
    assert score.base == 0 and score.total == 0
    assert [place for place, _ in rank([score], lambda s: s.total, lambda s: "X")] == [1]


@given(units_and_scheme())
def test_a_cap_never_raises_a_score(data):
    unit_rates, scheme = data
    uncapped = {
        code: Weighting(w.weight, D("1000"), w.decides_deposit) for code, w in scheme.items()
    }
    assert unit_score(unit_rates, scheme).base <= unit_score(unit_rates, uncapped).base
    for part in unit_score(unit_rates, scheme).parts:
        assert part.capped_rate <= part.rate


@given(units_and_scheme(), st.integers(min_value=2, max_value=1000))
def test_weights_are_scale_free(data, k):
    unit_rates, scheme = data
    scaled = {c: Weighting(w.weight * k, w.cap, w.decides_deposit) for c, w in scheme.items()}
    assert unit_score(unit_rates, scheme).base == unit_score(unit_rates, scaled).base


@given(units_and_scheme())
def test_the_score_lies_between_the_lowest_and_highest_capped_rate(data):
    unit_rates, scheme = data
    score = unit_score(unit_rates, scheme)
    capped = [p.capped_rate * 100 for p in score.parts]
    assert min(capped) <= score.base <= max(capped)


totals = st.lists(
    st.decimals(min_value=D("-10"), max_value=D("150"), places=3, allow_nan=False),
    min_size=0,
    max_size=25,
)


def _ranked(values):
    items = [(f"U{i:02d}", v) for i, v in enumerate(values)]
    return rank(items, total=lambda it: it[1], code=lambda it: it[0])


def test_ties_share_a_place_and_are_listed_by_code():
    items = [("B", D("90")), ("A", D("90.004")), ("C", D("95")), ("D", None)]
    places = rank(items, total=lambda it: it[1], code=lambda it: it[0])
    # 90.004 shows as 90.00: a tie with 90, listed by code; D has no score: not ranked
    assert [(p, it[0]) for p, it in places] == [(1, "C"), (2, "A"), (2, "B")]


def test_ties_are_judged_on_the_shown_score_half_up():
    items = [("A", D("80.005")), ("B", D("80.01")), ("C", D("80.0049"))]
    places = rank(items, total=lambda it: it[1], code=lambda it: it[0])
    assert [(p, it[0]) for p, it in places] == [(1, "A"), (1, "B"), (3, "C")]


@given(totals)
def test_ties_share_ranks(values):
    places = _ranked(values)
    assert len(places) == len(values)
    for place, (_code, total) in places:
        better = sum(1 for v in values if shown(v) > shown(total))
        assert place == better + 1  # 1, 1, 3
    order = [(-shown(item[1]), item[0]) for _p, item in places]
    assert order == sorted(order)


@given(totals, st.integers(min_value=1, max_value=8))
def test_the_boards_take_in_everyone_tied_at_the_cut(values, size):
    places = _ranked(values)
    top, bottom = boards(places, size, total=lambda it: it[1])
    shown_values = [shown(v) for v in values]
    for place, item in places:
        better = sum(1 for v in shown_values if v > shown(item[1]))
        worse = sum(1 for v in shown_values if v < shown(item[1]))
        on_top = (place, item) in top
        assert on_top == (better < size)
        if not on_top:
            assert ((place, item) in bottom) == (worse < size)
    assert not {id(i) for _p, i in top} & {id(i) for _p, i in bottom}
    if len(values) >= 2 * size and len(set(shown_values)) == len(values):
        assert len(top) == size and len(bottom) == size


def test_boards_by_hand():
    values = [D("100"), D("90"), D("90"), D("80"), D("70"), D("60"), D("60"), D("50")]
    places = _ranked(values)
    top, bottom = boards(places, 2, total=lambda it: it[1])
    assert [it[1] for _p, it in top] == [D("100"), D("90"), D("90")]  # a tie at the cut
    assert [it[1] for _p, it in bottom] == [D("60"), D("60"), D("50")]
    assert boards([], 5, total=lambda it: it[1]) == ([], [])
