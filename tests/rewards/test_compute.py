"""The reward arithmetic and eligibility rules, alone: pure functions, no database."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rewards import compute
from rewards.compute import Exclusions, Tier
from tests.rewards.factories import EXAMPLE_TIERS

D = Decimal


# --- negotiation-fee subsidy -----------------------------------------------------------


@pytest.mark.parametrize(
    ("capital", "amount", "tier"),
    [
        ("999.99", "0.00", None),  # below the first tier: nothing
        ("1000", "10000.00", 1),  # lower bound inclusive
        ("2999.99", "10000.00", 1),
        ("3000", "20000.00", 2),  # upper bound exclusive
        ("3500", "20000.00", 2),
        ("9999.99", "50000.00", 3),
        ("10000", "100000.00", 4),
        ("250000", "100000.00", 4),  # the open-ended top tier
    ],
)
def test_the_fee_is_the_amount_of_the_tier_the_capital_falls_in(capital, amount, tier):
    result = compute.fee_subsidy(D(capital), EXAMPLE_TIERS, D("100000"), rule_year=2026)
    assert result.amount == D(amount)
    assert (result.explanation["tier"] or {}).get("index") == tier
    assert result.explanation["basis"] == capital
    assert result.explanation["cap_applied"] is False


def test_the_cap_bounds_the_fee_and_the_explanation_says_so():
    result = compute.fee_subsidy(D(12000), EXAMPLE_TIERS, D("80000"), rule_year=2026)
    assert result.amount == D("80000.00")
    e = result.explanation
    assert (e["uncapped"], e["cap"], e["cap_applied"], e["amount"]) == (
        "100000.00",
        "80000.00",
        True,
        "80000.00",
    )
    assert e["tier"] == {
        "index": 4,
        "lower": "10000",
        "upper": None,
        "amount": "100000.00",
    }
    assert e["rule_year"] == 2026 and e["kind"] == "fee"


def test_a_fee_below_every_tier_is_zero_and_explained():
    tiers = [Tier(D(500), D(1000), D(3000))]
    result = compute.fee_subsidy(D(1500), tiers, D(5000), rule_year=2026)
    assert result.amount == D("0.00") and result.explanation["tier"] is None


@given(capital=st.decimals(min_value=0, max_value=10**9, places=2))
def test_the_fee_is_always_a_tier_amount_or_zero_and_never_above_the_cap(capital):
    cap = D("60000")
    result = compute.fee_subsidy(capital, EXAMPLE_TIERS, cap, rule_year=2026)
    assert result.amount in {D(0), D(10000), D(20000), D(50000), cap}
    assert result.amount <= cap
    assert isinstance(result.amount, Decimal)


# --- tax reward ------------------------------------------------------------------------


def _tax(tax, rate="0.05", cap="500000", already="0"):
    return compute.tax_reward(
        D(tax),
        D(rate),
        D(cap),
        already_awarded=D(already),
        rule_year=2026,
        tax_year=2027,
        production_year=2026,
        tax_years=3,
    )


def test_the_tax_reward_is_the_rate_of_the_local_tax_in_yuan():
    result = _tax("120")  # 120 万元 × 5% = 6 万元
    assert result.amount == D("60000.00")
    e = result.explanation
    assert (e["basis"], e["rate"], e["rate_percent"], e["uncapped"]) == (
        "120",
        "0.05",
        "5",
        "60000.00",
    )
    assert (e["tax_year"], e["production_year"], e["year_index"], e["tax_years"]) == (
        2027,
        2026,
        2,
        3,
    )
    assert e["cap_applied"] is False


def test_the_tax_reward_rounds_to_the_fen_half_up():
    assert _tax("0.333333", rate="0.0015").amount == D("5.00")  # 4.999995 → 5.00
    assert _tax("1.23", rate="0.0333").amount == D("409.59")


def test_the_cumulative_cap_takes_what_earlier_claims_used_into_account():
    result = _tax("120", cap="80000", already="50000")
    assert result.amount == D("30000.00")
    e = result.explanation
    assert (e["remaining_cap"], e["already_awarded"], e["cap_applied"]) == (
        "30000.00",
        "50000.00",
        True,
    )


def test_a_used_up_cap_leaves_nothing_rather_than_a_negative_reward():
    assert _tax("120", cap="80000", already="90000").amount == D("0.00")


def test_a_zero_rate_or_zero_tax_gives_zero():
    assert _tax("120", rate="0").amount == D("0.00")
    assert _tax("0").amount == D("0.00")


def test_the_reward_years_count_from_the_production_year():
    assert list(compute.reward_years(2026, 3)) == [2026, 2027, 2028]
    assert 2025 not in compute.reward_years(2026, 3)
    assert 2029 not in compute.reward_years(2026, 3)


# --- rule validation -------------------------------------------------------------------


def test_the_example_tiers_are_valid():
    assert compute.tier_problems(EXAMPLE_TIERS) == []


def test_overlapping_tiers_are_refused():
    problems = compute.tier_problems([Tier(D(0), D(3000), D(1)), Tier(D(2000), None, D(2))])
    assert problems == ["第 1 档（至 3000 万元）与第 2 档（自 2000 万元起）重叠。"]


def test_unsorted_tiers_are_refused():
    problems = compute.tier_problems([Tier(D(3000), None, D(2)), Tier(D(1000), D(3000), D(1))])
    assert any("须按注册资本从低到高排列" in p for p in problems)


def test_a_gap_between_tiers_is_refused():
    problems = compute.tier_problems([Tier(D(0), D(1000), D(1)), Tier(D(2000), None, D(2))])
    assert problems == ["第 1 档止于 1000 万元，第 2 档却从 2000 万元开始：档次之间不能留空档。"]


def test_only_the_last_tier_may_be_open_ended():
    problems = compute.tier_problems([Tier(D(0), None, D(1)), Tier(D(1000), None, D(2))])
    assert "只有最后一档可以不设上限，第 1 档必须填写上限。" in problems


@pytest.mark.parametrize(
    ("tier", "message"),
    [
        (Tier(D(-1), D(10), D(1)), "第 1 档的下限不能为负数。"),
        (Tier(D(0), D(10), D(-1)), "第 1 档的补助金额不能为负数。"),
        (Tier(D(10), D(10), D(1)), "第 1 档的上限 10 万元必须大于下限 10 万元。"),
    ],
)
def test_a_bad_single_tier_is_refused(tier, message):
    assert compute.tier_problems([tier]) == [message]


@pytest.mark.parametrize(
    ("rate", "ok"), [("0", True), ("0.05", True), ("1", True), ("-0.01", False), ("1.01", False)]
)
def test_the_rate_lies_between_0_and_1(rate, ok):
    assert (compute.rate_problems(D(rate)) == []) is ok


def test_a_missing_rate_is_refused():
    assert compute.rate_problems(None) == ["请填写税收奖励比例。"]


# --- who may be a referrer -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "深圳某电子有限公司",
        " 深圳某电子 有限公司 ",
        "深圳某电子有限公司\u3000",
        "ＡＢＣ Capital Ltd",
    ],
)
def test_the_investor_is_recognised_whatever_the_spacing_width_or_case(name):
    investor = "ABC capital ltd" if "ＡＢＣ" in name else "深圳某电子有限公司"
    assert compute.is_investor_or_partner(name, investor, [])


def test_a_partner_listed_on_the_link_is_recognised():
    partners = compute.partner_names("甲公司\n乙合伙企业、丙公司；丁公司,")
    assert partners == ["甲公司", "乙合伙企业", "丙公司", "丁公司"]
    assert compute.is_investor_or_partner("丙公司", "某投资方", partners)
    assert not compute.is_investor_or_partner("戊公司", "某投资方", partners)


def test_an_empty_investor_matches_nobody():
    assert not compute.is_investor_or_partner("张三", "", ["", " "])


STRICT = Exclusions()


def _problems(exclusions=STRICT, **overrides):
    facts = {
        "referrer_name": "张三",
        "registered_on": datetime.date(2026, 1, 1),
        "investor": "某投资方",
        "partners": [],
        "signed_on": datetime.date(2026, 1, 10),
    }
    facts.update(overrides)
    return compute.referrer_problems(exclusions=exclusions, **facts)


def test_a_referrer_registered_before_or_on_the_signing_day_is_fine():
    assert _problems() == []
    assert _problems(registered_on=datetime.date(2026, 1, 10)) == []


def test_a_referrer_registered_after_signing_is_refused_unless_the_rule_waives_it():
    late = datetime.date(2026, 2, 1)
    assert _problems(registered_on=late) == [
        "引资人 张三 的登记日期 2026-02-01 晚于项目签约日期 2026-01-10：引资人须在项目签约前登记。"
    ]
    assert _problems(Exclusions(registered_before_signing=False), registered_on=late) == []


def test_before_signing_there_is_no_date_to_check_yet():
    assert _problems(signed_on=None, registered_on=datetime.date(2026, 5, 1)) == []


def test_the_investor_as_its_own_referrer_is_refused_unless_the_rule_waives_it():
    assert _problems(referrer_name="某投资方") == [
        "某投资方 是本项目的投资方或其合作方，投资方及其合作方不能作为引资人。"
    ]
    assert _problems(Exclusions(investor_and_partners=False), referrer_name="某投资方") == []


def test_a_civil_servants_reward_goes_to_their_unit_or_nowhere():
    facts = {"referrer_name": "张三", "employer_unit_name": "区商务局"}
    assert compute.payee_of(is_public_servant=False, exclusions=Exclusions(), **facts) == (
        "张三",
        False,
        [],
    )
    assert compute.payee_of(is_public_servant=True, exclusions=Exclusions(), **facts) == (
        "区商务局",
        True,
        [],
    )
    assert compute.payee_of(
        is_public_servant=True, exclusions=Exclusions(public_servants_excluded=True), **facts
    )[2] == ["张三 是公职人员或专职招商人员，按本年度规则不予奖励。"]


@pytest.mark.parametrize(
    ("kind", "treasury"),
    [
        ("township", "郴江镇财政"),
        ("subdistrict", "郴江镇财政"),
        ("department", "区财政"),
        ("park", "区财政"),
    ],
)
def test_the_benefiting_treasury_follows_the_unit_kind(kind, treasury):
    assert compute.benefiting_treasury(kind, "郴江镇") == treasury
