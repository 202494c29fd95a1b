"""Referral-reward arithmetic and eligibility: pure functions, no database.

Services feed these the facts (registered capital, tiers, tax, dates, names) and store what
they return: the amount and an explanation that the claim page shows as it is.

Amounts: registered capital and tax are in 万元; tiers, caps and rewards in 元.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

ZERO = Decimal(0)
CENT = Decimal("0.01")
YUAN_PER_WAN = Decimal(10000)


def yuan(value: Decimal) -> Decimal:
    """Round to the fen, half up, as the treasury pays."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value}"


@dataclass(frozen=True)
class Tier:
    """A fee tier: registered capital in [lower, upper) 万元 earns ``amount`` 元.

    ``upper`` None means "and above".
    """

    lower: Decimal
    upper: Decimal | None
    amount: Decimal

    def contains(self, capital: Decimal) -> bool:
        return capital >= self.lower and (self.upper is None or capital < self.upper)


@dataclass(frozen=True)
class Result:
    amount: Decimal
    explanation: dict


# --- rule validation -------------------------------------------------------------------


def tier_problems(tiers: Sequence[Tier]) -> list[str]:
    """Why a list of tiers is unusable, in Chinese; empty when it is fine.

    Tiers must be listed from low to high, may start above zero (below the first threshold
    there is no subsidy) but may not overlap or leave a gap; only the last may be open-ended.
    """
    problems: list[str] = []
    for index, tier in enumerate(tiers, start=1):
        if tier.lower < 0:
            problems.append(_("第 %(i)d 档的下限不能为负数。") % {"i": index})
        if tier.amount < 0:
            problems.append(_("第 %(i)d 档的补助金额不能为负数。") % {"i": index})
        if tier.upper is not None and tier.upper <= tier.lower:
            problems.append(
                _("第 %(i)d 档的上限 %(u)s 万元必须大于下限 %(l)s 万元。")
                % {"i": index, "u": tier.upper, "l": tier.lower}
            )
        if tier.upper is None and index < len(tiers):
            problems.append(_("只有最后一档可以不设上限，第 %(i)d 档必须填写上限。") % {"i": index})
    for index in range(1, len(tiers)):
        before, tier = tiers[index - 1], tiers[index]
        if tier.lower < before.lower:
            problems.append(
                _(
                    "第 %(j)d 档的下限 %(l)s 万元低于第 %(i)d 档的下限 %(bl)s 万元："
                    "档次须按注册资本从低到高排列。"
                )
                % {"i": index, "j": index + 1, "l": tier.lower, "bl": before.lower}
            )
        elif before.upper is not None and tier.lower < before.upper:
            problems.append(
                _("第 %(i)d 档（至 %(bu)s 万元）与第 %(j)d 档（自 %(l)s 万元起）重叠。")
                % {"i": index, "j": index + 1, "bu": before.upper, "l": tier.lower}
            )
        elif before.upper is not None and tier.lower > before.upper:
            problems.append(
                _(
                    "第 %(i)d 档止于 %(bu)s 万元，第 %(j)d 档却从 %(l)s 万元开始："
                    "档次之间不能留空档。"
                )
                % {"i": index, "j": index + 1, "bu": before.upper, "l": tier.lower}
            )
    return problems


def rate_problems(rate: Decimal | None) -> list[str]:
    if rate is None:
        return [_("请填写税收奖励比例。")]
    if rate < 0 or rate > 1:
        return [_("税收奖励比例 %(r)s 无效：应在 0 到 1 之间（如 0.05 表示 5%%）。") % {"r": rate}]
    return []


# --- the two rewards -------------------------------------------------------------------


def fee_subsidy(
    registered_capital: Decimal, tiers: Sequence[Tier], cap: Decimal | None, *, rule_year: int
) -> Result:
    """洽谈费补助: the amount of the tier the registered capital falls in, at most ``cap``.

    Below the first tier (or in none) the subsidy is 0, and the explanation says so.
    """
    tier_index, chosen = next(
        ((i, t) for i, t in enumerate(tiers, start=1) if t.contains(registered_capital)),
        (None, None),
    )
    uncapped = yuan(chosen.amount) if chosen else ZERO
    amount = min(uncapped, yuan(cap)) if cap is not None else uncapped
    explanation = {
        "kind": "fee",
        "rule_year": rule_year,
        "basis": _text(registered_capital),
        "basis_unit": "万元",
        "tier": (
            {
                "index": tier_index,
                "lower": _text(chosen.lower),
                "upper": _text(chosen.upper),
                "amount": _text(yuan(chosen.amount)),
            }
            if chosen
            else None
        ),
        "uncapped": _text(uncapped),
        "cap": _text(yuan(cap)) if cap is not None else None,
        "cap_applied": amount < uncapped,
        "amount": _text(yuan(amount)),
    }
    return Result(yuan(amount), explanation)


def tax_reward(
    local_tax_wan: Decimal,
    rate: Decimal,
    cap: Decimal | None,
    *,
    already_awarded: Decimal = ZERO,
    rule_year: int,
    tax_year: int,
    production_year: int,
    tax_years: int,
) -> Result:
    """税收奖励: ``rate`` × the year's local retained tax (万元 → 元).

    ``cap`` bounds the project's tax rewards over all its reward years together, so what
    earlier tax claims of the project already take (``already_awarded``) is deducted first.
    """
    uncapped = yuan(local_tax_wan * YUAN_PER_WAN * rate)
    remaining = None if cap is None else max(yuan(cap) - yuan(already_awarded), ZERO)
    amount = uncapped if remaining is None else min(uncapped, remaining)
    explanation = {
        "kind": "tax",
        "rule_year": rule_year,
        "tax_year": tax_year,
        "production_year": production_year,
        "year_index": tax_year - production_year + 1,
        "tax_years": tax_years,
        "basis": _text(local_tax_wan),
        "basis_unit": "万元",
        "rate": _text(rate),
        "rate_percent": format((rate * 100).normalize(), "f"),
        "uncapped": _text(uncapped),
        "cap": _text(yuan(cap)) if cap is not None else None,
        "already_awarded": _text(yuan(already_awarded)),
        "remaining_cap": _text(remaining),
        "cap_applied": amount < uncapped,
        "amount": _text(amount),
    }
    return Result(amount, explanation)


def reward_years(production_year: int, tax_years: int) -> range:
    """The calendar years whose tax earns a reward: the production year and the next ones."""
    return range(production_year, production_year + tax_years)


# --- who may be a referrer, and who is paid --------------------------------------------

_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


def normalise_name(name: str) -> str:
    """Compare names as people mean them: full-width = half-width, no spaces, any case."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(text.split()).casefold()


def partner_names(text: str) -> list[str]:
    """The partners typed one per line (or separated by commas or 、)."""
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def is_investor_or_partner(referrer_name: str, investor: str, partners: Iterable[str]) -> bool:
    name = normalise_name(referrer_name)
    if not name:
        return False
    return name in {normalise_name(n) for n in (investor, *partners) if normalise_name(n)}


@dataclass(frozen=True)
class Exclusions:
    """The exclusion clauses of a year's rule (all on by default)."""

    investor_and_partners: bool = True
    registered_before_signing: bool = True
    public_servants_excluded: bool = False  # False: their reward goes to their unit


def referrer_problems(
    *,
    exclusions: Exclusions,
    referrer_name: str,
    registered_on,
    investor: str,
    partners: Iterable[str],
    signed_on,
) -> list[str]:
    """Why this referrer cannot be the project's first referrer, in Chinese."""
    problems = []
    # Before signing there is no date to compare with; a claim needs one and checks again.
    if (
        exclusions.registered_before_signing
        and signed_on is not None
        and registered_on is not None
        and registered_on > signed_on
    ):
        problems.append(
            _("引资人 %(name)s 的登记日期 %(r)s 晚于项目签约日期 %(s)s：引资人须在项目签约前登记。")
            % {
                "name": referrer_name,
                "r": registered_on.isoformat(),
                "s": signed_on.isoformat(),
            }
        )
    if exclusions.investor_and_partners and is_investor_or_partner(
        referrer_name, investor, partners
    ):
        problems.append(
            _("%(name)s 是本项目的投资方或其合作方，投资方及其合作方不能作为引资人。")
            % {"name": referrer_name}
        )
    return problems


def benefiting_treasury(unit_kind: str, unit_name: str) -> str:
    """受益财政: a township's or subdistrict's own treasury, otherwise the district's.

    Stored on the claim as data (not a translated message).
    """
    if unit_kind in ("township", "subdistrict"):
        return f"{unit_name}财政"
    return "区财政"


def payee_of(
    *,
    referrer_name: str,
    is_public_servant: bool,
    employer_unit_name: str,
    exclusions: Exclusions,
) -> tuple[str, bool, list[str]]:
    """(who is paid, whether that is the referrer's unit, problems).

    Civil servants and full-time investment staff are never paid themselves: per the year's
    rule their reward goes to their unit, or there is none.
    """
    if not is_public_servant:
        return referrer_name, False, []
    if exclusions.public_servants_excluded:
        return (
            "",
            False,
            [
                _("%(name)s 是公职人员或专职招商人员，按本年度规则不予奖励。")
                % {"name": referrer_name}
            ],
        )
    return employer_unit_name, True, []


# --- scope: only projects that count toward an indicator -------------------------------


def counts_toward_indicator(capital_type: str, origin: str, home_province: str) -> bool:
    """Foreign projects count (外资 indicators); domestic ones only when the investor comes
    from outside the year's home province (境内省外资金). The seed rewards 外来投资者."""
    if capital_type == "foreign":
        return True
    return bool(origin) and origin != home_province


def scope_problem(capital_type: str, origin: str, home_province: str) -> str | None:
    if counts_toward_indicator(capital_type, origin, home_province):
        return None
    return _(
        "项目是来自本省（%(home)s）的内资项目，不计入任何考核指标，"
        "不属于引资奖励范围（只奖励外资项目和省外内资项目）。"
    ) % {"home": home_province}


# --- identity numbers ------------------------------------------------------------------


def _org_code_valid(code: str) -> bool:
    """A 9-character organisation code (组织机构代码, GB 11714) with its check character."""
    code = code.replace("-", "")
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        return False
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    values = [int(c, 36) for c in code[:8]]
    check = 11 - sum(w * v for w, v in zip(weights, values, strict=True)) % 11
    expected = {10: "X", 11: "0"}.get(check, str(check))
    return code[8] == expected


def resident_id_valid(number: str) -> bool:
    """A resident ID number (GB 11643): 18 characters, a real birth date and the right check
    digit, all by python-stdnum. Not stdnum's birth-place check: it refuses a county code
    that did not exist in the birth year (431002 北湖区 from 1994), yet people born earlier
    and registered later carry it."""
    number = ric.compact(number or "")
    if len(number) != 18 or not number[:-1].isdigit():
        return False
    if number[-1] != ric.calc_check_digit(number):
        return False
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return False
    return True


def id_number_problems(kind: str, id_number: str) -> list[str]:
    """Why an identity number is not acceptable for a referrer of ``kind``, in Chinese.

    An individual gives a resident ID number (居民身份证号, GB 11643, its check digit and
    birth date checked); an organisation its 统一社会信用代码 (GB 32100, check character) or,
    for an organisation registered before that code, its 组织机构代码 (GB 11714)."""
    value = "".join((id_number or "").split()).upper()
    if kind == "individual":
        if not resident_id_valid(value):
            return [
                _(
                    "居民身份证号 %(n)s 无效：应为 18 位，出生日期有效，最后一位校验码"
                    "（按 GB 11643 计算）正确；请核对证件后重新填写。"
                )
                % {"n": value}
            ]
        return []
    if len(value) == 18:
        if uscc.is_valid(value):
            return []
        return [
            _("统一社会信用代码 %(n)s 的校验码不对（GB 32100），请核对营业执照后重新填写。")
            % {"n": value}
        ]
    if _org_code_valid(value):
        return []
    return [
        _(
            "单位引资人应填写 18 位统一社会信用代码（或 9 位组织机构代码），"
            "“%(n)s”不是有效的代码（校验位不对或位数不对）。"
        )
        % {"n": value}
    ]
