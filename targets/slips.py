"""The 万/亿 slip check, judged against the figures around an amount (DOMAIN.md).

Pure: the caller looks up the yardsticks (for money, the unit's whole-year quota for the
indicator the amount counts toward, else the district's task, and the project's contract
amount: projects.services; for a unit's quota, the district's task: targets.services). It
lives in targets, which owns the quotas, so that both apps ask the same rule.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from common.rounding import grouped

CONTRACT_MULTIPLE = Decimal(10)


def slip_reason(
    amount: Decimal | None,
    *,
    quota: Decimal | None = None,
    quota_is_district: bool = False,
    contract: Decimal | None = None,
    measure: str = "",
) -> str:
    """Why ``amount`` looks like a 万/亿 slip, or "" when it does not.

    Above the whole-year quota (a positive one; without any there is no check), or above
    10× the contract amount (a positive one).
    """
    if amount is None:
        return ""
    reasons = []
    if quota is not None and quota > 0 and amount > quota:
        template = (
            _("金额 %(a)s%(m)s 超过全区全年任务 %(q)s%(m)s")
            if quota_is_district
            else _("金额 %(a)s%(m)s 超过本单位全年任务 %(q)s%(m)s")
        )
        reasons.append(template % {"a": _money(amount), "q": _money(quota), "m": measure})
    if contract is not None and contract > 0 and amount > contract * CONTRACT_MULTIPLE:
        reasons.append(
            _("金额 %(a)s%(m)s 超过合同金额 %(c)s%(m)s 的 10 倍")
            % {"a": _money(amount), "c": _money(contract), "m": measure}
        )
    if not reasons:
        return ""
    return _("%(why)s，可能是“万/亿”单位填错。") % {"why": "；".join(reasons)}


def _money(value: Decimal) -> str:
    return grouped(value)
