"""The rule file read by ``manage.py load_reward_rules`` (see rewards/data/README.md).

Only reading and shape checks live here; the rules themselves (sorted tiers without overlap,
no negative amounts, 0 ≤ rate ≤ 1) are checked by ``services.rule_save``, as for the page.
"""

from __future__ import annotations

import json
from decimal import Decimal

from rewards.compute import Tier
from rewards.models import PublicServantPolicy


class RuleFileError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _number(value, path: str, errors: list[str], *, optional: bool = False) -> Decimal | None:
    if value is None and optional:
        return None
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str):
        try:
            return Decimal(value.replace(",", ""))
        except ArithmeticError:
            pass
    errors.append(f"{path}：“{value}”不是数字")
    return None


def _flag(value, path: str, errors: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    errors.append(f"{path}：应为 true 或 false")
    return True


def _tiers(raw_tiers, errors: list[str]) -> list[Tier]:
    """negotiation_fee.tiers in file order; each problem of shape goes to ``errors``."""
    if not isinstance(raw_tiers, list):
        errors.append("negotiation_fee.tiers：应为档次列表 [...]")
        return []
    tiers = []
    for index, raw in enumerate(raw_tiers, start=1):
        path = f"negotiation_fee.tiers 第 {index} 档"
        if not isinstance(raw, dict):
            errors.append(f"{path}：应为一个对象")
            continue
        lower = _number(raw.get("from_wan"), f"{path} from_wan", errors)
        upper = _number(raw.get("below_wan"), f"{path} below_wan", errors, optional=True)
        amount = _number(raw.get("yuan"), f"{path} yuan", errors)
        if lower is not None and amount is not None:
            tiers.append(Tier(lower, upper, amount))
    return tiers


def parse_rule_file(text: str) -> tuple[dict, list[Tier]]:
    """(the rule's fields, its tiers in file order); raises RuleFileError listing every
    problem of shape (a missing key, a number that is not one)."""
    try:
        # Numbers become Decimal straight from the text: no float on the way.
        doc = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise RuleFileError(
            [f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}"]
        ) from exc
    if not isinstance(doc, dict):
        raise RuleFileError(["文件的最外层应是一个 JSON 对象 {…}"])
    errors: list[str] = []
    fee = doc.get("negotiation_fee")
    tax = doc.get("tax_reward")
    exclusions = doc.get("exclusions", {})
    for key, part in (("negotiation_fee", fee), ("tax_reward", tax), ("exclusions", exclusions)):
        if not isinstance(part, dict):
            errors.append(f"缺少 {key} 部分（应为一个对象）")
    if errors:
        raise RuleFileError(errors)
    tiers = _tiers(fee.get("tiers"), errors)
    years = tax.get("years")
    if not (isinstance(years, Decimal) and years == years.to_integral_value() and years > 0):
        errors.append(f"tax_reward.years：“{years}”应为正整数")
    policy = exclusions.get("public_servants", PublicServantPolicy.TO_UNIT)
    if policy not in PublicServantPolicy.values:
        errors.append(
            f"exclusions.public_servants：“{policy}”无效，应为 "
            + " 或 ".join(PublicServantPolicy.values)
        )
    data = {
        "fee_cap": _number(fee.get("cap_yuan"), "negotiation_fee.cap_yuan", errors),
        "tax_rate": _number(tax.get("rate"), "tax_reward.rate", errors),
        "tax_years": int(years) if isinstance(years, Decimal) else None,
        "tax_cap": _number(tax.get("cap_yuan"), "tax_reward.cap_yuan", errors),
        "exclude_investor_partners": _flag(
            exclusions.get("investor_and_partners", True),
            "exclusions.investor_and_partners",
            errors,
        ),
        "require_registration_before_signing": _flag(
            exclusions.get("registered_before_signing", True),
            "exclusions.registered_before_signing",
            errors,
        ),
        "public_servant_policy": policy,
        "note": str(doc.get("basis", "")),
    }
    if errors:
        raise RuleFileError(errors)
    return data, tiers
