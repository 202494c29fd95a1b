"""Builders for the referral-reward tests. Rules go through the real service, so every rule
a test uses passed the same checks as the finance office's form."""

import datetime
from decimal import Decimal

import factory

from rewards import services
from rewards.compute import Tier

D = Decimal

# The example rule set's tiers (rewards/data/example_rules.json), in 万元 → 元.
EXAMPLE_TIERS = [
    Tier(D(1000), D(3000), D(10000)),
    Tier(D(3000), D(5000), D(20000)),
    Tier(D(5000), D(10000), D(50000)),
    Tier(D(10000), None, D(100000)),
]


def rule_data(**overrides) -> dict:
    data = {
        "fee_cap": D("100000"),
        "tax_rate": D("0.05"),
        "tax_years": 3,
        "tax_cap": D("500000"),
        "exclude_investor_partners": True,
        "require_registration_before_signing": True,
        "public_servant_policy": "to_unit",
        "note": "测试规则",
    }
    data.update(overrides)
    return data


def make_rule(year: int = 2026, tiers=None, user=None, **overrides):
    return services.rule_save(
        year=year,
        data=rule_data(**overrides),
        tiers=EXAMPLE_TIERS if tiers is None else tiers,
        user=user,
    )


class ReferrerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "rewards.Referrer"

    kind = "individual"
    name = factory.Sequence(lambda n: f"引资人{n}")
    id_number = factory.Sequence(lambda n: f"43100219800101{n:04d}")
    contact = "张先生 13800000000"
    bank_name = "郴州农商银行"
    bank_account = factory.Sequence(lambda n: f"6222000011{n:08d}")
    registered_on = datetime.date(2025, 12, 1)


class TaxRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "rewards.TaxRecord"

    year = 2026
    local_retained_tax = D("120.00")
