"""The yearly rules: the finance office's form, the example file and its command, and every
refusal (overlapping or unsorted tiers, a negative amount, a rate outside 0–1)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from rewards import services
from rewards.compute import Tier
from rewards.models import FeeTier, RewardRule
from targets.services import year_get_or_create
from tests.rewards.factories import EXAMPLE_TIERS, make_rule, rule_data

D = Decimal
EXAMPLE = Path(__file__).resolve().parents[2] / "rewards" / "data" / "example_rules.json"


def form_data(tiers, **overrides) -> dict:
    data = {
        "fee_cap": "100000",
        "tax_rate": "0.05",
        "tax_years": "3",
        "tax_cap": "500000",
        "exclude_investor_partners": "on",
        "require_registration_before_signing": "on",
        "public_servant_policy": "to_unit",
        "note": "区政发〔2026〕1号",
        "tiers-TOTAL_FORMS": str(len(tiers)),
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
    }
    for i, (lower, upper, amount) in enumerate(tiers):
        data[f"tiers-{i}-lower"] = lower
        data[f"tiers-{i}-upper"] = upper
        data[f"tiers-{i}-amount"] = amount
    data.update(overrides)
    return data


GOOD_TIERS = [("1000", "3000", "10000"), ("3000", "", "30000"), ("", "", "")]


def test_finance_sets_a_years_rule_on_the_page(client_as, finance):
    response = client_as("finance").post(
        reverse("rewards:rule_edit", args=[2026]), form_data(GOOD_TIERS)
    )
    assert response.status_code == 302
    rule = RewardRule.objects.get(year__year=2026)
    assert [(t.lower, t.upper, t.amount) for t in rule.tiers.all()] == [
        (D(1000), D(3000), D(10000)),
        (D(3000), None, D(30000)),
    ]
    assert (rule.tax_rate, rule.tax_years, rule.fee_cap) == (D("0.05"), 3, D(100000))
    record = rule.history.get()
    assert record.history_user == finance
    assert "档次：[1000, 3000) 万元 → 10000 元；[3000, ∞) 万元 → 30000 元" in (
        record.history_change_reason
    )
    page = client_as("clerk").get(reverse("rewards:rule_detail", args=[2026])).content.decode()
    assert "1,000.00（含）至 3,000.00（不含）" in page and "5.00%" in page


def test_the_edit_form_shows_the_current_tiers(client_as, finance):
    make_rule(2026)
    page = client_as("finance").get(reverse("rewards:rule_edit", args=[2026])).content.decode()
    assert 'name="tiers-3-lower" value="10000.00"' in page
    assert 'name="tiers-TOTAL_FORMS" value="6"' in page  # four tiers and two blank rows
    page = client_as("finance").get(reverse("rewards:rule_edit", args=[2027])).content.decode()
    assert 'name="tiers-TOTAL_FORMS" value="6"' in page  # a new rule: six blank rows


@pytest.mark.parametrize(
    ("tiers", "overrides", "message"),
    [
        (
            [("0", "3000", "1"), ("2000", "", "2")],
            {},
            "第 1 档（至 3000 万元）与第 2 档（自 2000 万元起）重叠。",
        ),
        (
            [("3000", "", "2"), ("1000", "3000", "1")],
            {},
            "档次须按注册资本从低到高排列",
        ),
        ([("0", "", "-5")], {}, "第 1 档的补助金额不能为负数。"),
        ([("0", "", "5")], {"tax_rate": "-0.05"}, "税收奖励比例不能为负数"),
        ([("0", "", "5")], {"tax_rate": "1.5"}, "税收奖励比例不能大于 1"),
        ([("", "", "")], {}, "请至少设定一个洽谈费补助档次。"),
        ([("", "500", "")], {}, "请填写这一档的下限。"),
    ],
)
def test_a_bad_rule_is_refused_in_chinese_and_nothing_is_written(
    client_as, tiers, overrides, message
):
    response = client_as("finance").post(
        reverse("rewards:rule_edit", args=[2026]), form_data(tiers, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RewardRule.objects.exists() and not FeeTier.objects.exists()


def test_a_refused_edit_leaves_the_old_rule_as_it_was(client_as):
    rule = make_rule(2026)
    response = client_as("finance").post(
        reverse("rewards:rule_edit", args=[2026]),
        form_data([("0", "3000", "1"), ("2000", "", "2")], fee_cap="1"),
    )
    assert "重叠" in response.content.decode()
    rule.refresh_from_db()
    assert rule.fee_cap == D(100000) and rule.tiers.count() == 4
    assert rule.history.count() == 1


@pytest.mark.parametrize(
    ("tiers", "data", "field"),
    [
        ([Tier(D(0), D(10), D(1)), Tier(D(5), None, D(1))], {}, "tiers"),
        ([Tier(D(0), None, D(1))], {"tax_rate": D("1.0001")}, "tax_rate"),
        ([Tier(D(0), None, D(1))], {"tax_rate": D("-0.1")}, "tax_rate"),
        ([Tier(D(0), None, D("0.001"))], {}, "tiers"),  # more than two decimals
        ([Tier(D(0), None, D(1))], {"fee_cap": D(-1)}, "fee_cap"),
        ([Tier(D(0), None, D(1))], {"tax_years": 0}, "tax_years"),
    ],
)
def test_the_service_refuses_a_bad_rule_whole(db, tiers, data, field):
    with pytest.raises(ValidationError) as caught:
        services.rule_save(year=2026, data=rule_data(**data), tiers=tiers, user=None)
    assert field in caught.value.message_dict
    assert not RewardRule.objects.exists()


def test_saving_the_same_rule_twice_writes_nothing_the_second_time(db):
    rule = make_rule(2026)
    make_rule(2026)
    assert rule.history.count() == 1
    assert FeeTier.history.count() == 4


def test_changing_the_tiers_replaces_them_and_the_history_keeps_the_old_ones(db):
    make_rule(2026)
    rule = make_rule(2026, tiers=[Tier(D(0), None, D(5000))])
    assert [t.amount for t in rule.tiers.all()] == [D(5000)]
    assert rule.history.count() == 2
    assert FeeTier.history.filter(history_type="-").count() == 4


# --- the example file and its command --------------------------------------------------


def test_the_example_rule_set_loads_and_matches_its_documentation(db):
    call_command("load_reward_rules", "--year", "2026", str(EXAMPLE))
    rule = RewardRule.objects.get(year__year=2026)
    tiers = [Tier(t.lower, t.upper, t.amount) for t in rule.tiers.all()]
    assert tiers == EXAMPLE_TIERS
    assert (rule.fee_cap, rule.tax_rate, rule.tax_years, rule.tax_cap) == (
        D(100000),
        D("0.05"),
        3,
        D(500000),
    )
    assert rule.exclude_investor_partners and rule.require_registration_before_signing
    assert rule.public_servant_policy == "to_unit"
    assert "示例" in rule.note
    # Loading it again changes nothing.
    call_command("load_reward_rules", "--year", "2026")
    assert rule.history.count() == 1


def _write(tmp_path, doc) -> str:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_a_rule_file_with_overlapping_tiers_is_refused_whole(db, tmp_path):
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["negotiation_fee"]["tiers"][1]["from_wan"] = 2500
    doc["tax_reward"]["rate"] = "-0.05"
    with pytest.raises(CommandError) as caught:
        call_command("load_reward_rules", "--year", "2026", _write(tmp_path, doc))
    message = str(caught.value)
    assert "未写入任何数据" in message
    assert "第 1 档（至 3000 万元）与第 2 档（自 2500 万元起）重叠。" in message
    assert "税收奖励比例 -0.05 无效" in message
    assert not RewardRule.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("tax_reward"), "缺少 tax_reward 部分"),
        (lambda d: d["tax_reward"].update(years=1.5), "tax_reward.years"),
        (lambda d: d["negotiation_fee"]["tiers"][0].update(yuan="一万"), "不是数字"),
        (
            lambda d: d["exclusions"].update(public_servants="pay_them"),
            "exclusions.public_servants",
        ),
    ],
)
def test_a_malformed_rule_file_is_refused_with_the_place_named(db, tmp_path, change, message):
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    change(doc)
    with pytest.raises(CommandError, match=message):
        call_command("load_reward_rules", "--year", "2026", _write(tmp_path, doc))
    assert not RewardRule.objects.exists()


def test_a_file_that_is_not_json_is_refused(db, tmp_path):
    path = tmp_path / "rules.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        call_command("load_reward_rules", "--year", "2026", str(path))


# --- the database's own checks ---------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{"tax_rate": D("1.5")}, {"tax_rate": D("-0.01")}, {"fee_cap": D(-1)}, {"tax_years": 0}],
)
def test_the_database_refuses_a_bad_rule(db, fields):
    values = {"fee_cap": D(1), "tax_rate": D("0.05"), "tax_years": 3, "tax_cap": D(1)}
    values.update(fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardRule.objects.create(year=year_get_or_create(2026), **values)


def test_the_database_refuses_a_second_rule_for_a_year(db):
    rule = make_rule(2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardRule.objects.create(
            year=rule.year, fee_cap=D(1), tax_rate=D(0), tax_years=1, tax_cap=D(1)
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"lower": D(10), "upper": D(10)},
        {"lower": D(10), "upper": D(5)},
        {"lower": D(-1), "upper": None},
        {"amount": D(-1)},
    ],
)
def test_the_database_refuses_a_bad_tier(db, fields):
    rule = make_rule(2026)
    values = {"lower": D(50000), "upper": None, "amount": D(1)}
    values.update(fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeTier.objects.create(rule=rule, **values)
