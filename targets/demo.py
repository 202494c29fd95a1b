"""The assessment scheme of the demo years (called from portal.demo.load_demo_data).

The seed tracks a target beyond the five counted indicators: 标准厂房, "1–5月…完工面积27200
平方米，占年任务数的68%", so the district's annual task is 40,000 ㎡; a few units carry it.
The units' monthly reports come with the reported figures (报送).
"""

from __future__ import annotations

from decimal import Decimal

from targets import indicators as codes
from targets.models import Indicator
from targets.services import (
    SchemeLine,
    adjustment_create,
    indicator_create,
    quotas_save,
    scheme_save,
)

STD_FACTORY = "std_factory"
STD_FACTORY_NAME = "标准厂房"
STD_FACTORY_UNIT = "平方米"
STD_FACTORY_TASK = Decimal("40000")  # 27,200 ㎡ at 1–5月 is 68% of it
# unit code → its share of the 40,000 ㎡ (the park builds most of it)
STD_FACTORY_QUOTAS = {"P01": Decimal("18000"), "T01": Decimal("12000"), "T02": Decimal("10000")}

# indicator code → (weight, cap %, decides the deposit), for the year before and the year
BUILTIN_SCHEME = {
    codes.FDI_ACTUAL: (Decimal("30"), Decimal("120"), True),
    codes.FDI_CONTRACT: (Decimal("15"), Decimal("120"), True),
    codes.FOREIGN_PROJECTS: (Decimal("10"), Decimal("120"), True),
    codes.DOMESTIC_ACTUAL: (Decimal("30"), Decimal("120"), True),
    codes.DOMESTIC_PROJECTS: (Decimal("15"), Decimal("120"), True),
}
REPORTED_SCHEME = {STD_FACTORY: (Decimal("10"), Decimal("110"), False)}

# (unit code, points, 事由)
ADJUSTMENTS = [
    ("T01", Decimal("2"), "引进省级重大项目签约"),
    ("P01", Decimal("1.5"), "引进世界500强企业投资项目"),
    ("T08", Decimal("-1"), "5月报表逾期报送"),
    ("D18", Decimal("-0.5"), "项目台账信息不实"),
]


def std_factory(user=None) -> Indicator:
    found = Indicator.objects.filter(code=STD_FACTORY).first()
    if found is not None:
        return found
    return indicator_create(
        code=STD_FACTORY, name=STD_FACTORY_NAME, unit_label=STD_FACTORY_UNIT, user=user
    )


def load_scheme_demo(*, year: int, units: dict, user=None, reason: str = "") -> dict:
    """The 标准厂房 indicator with its quotas for ``year``, the scheme of ``year - 1`` (the
    five indicators) and of ``year`` (with 标准厂房, which does not decide the deposit),
    and a few bonuses and deductions. ``units``: unit code → Unit."""
    factory = std_factory(user)
    ids = dict(Indicator.objects.values_list("code", "id"))
    quotas_save(
        year=year,
        unit_values={
            (units[code].pk, factory.pk): amount
            for code, amount in STD_FACTORY_QUOTAS.items()
            if code in units
        },
        district_values={factory.pk: STD_FACTORY_TASK},
        user=user,
        reason=reason,
    )
    schemes = ((year - 1, BUILTIN_SCHEME), (year, BUILTIN_SCHEME | REPORTED_SCHEME))
    for scheme_year, lines in schemes:
        scheme_save(
            year=scheme_year,
            lines=[
                SchemeLine(ids[code], weight, cap, decides)
                for code, (weight, cap, decides) in lines.items()
            ],
            user=user,
            reason=reason,
        )
    added = 0
    for code, points, why in ADJUSTMENTS:
        if code in units:
            adjustment_create(year=year, unit=units[code], points=points, reason=why, user=user)
            added += 1
    return {"scheme_lines": len(BUILTIN_SCHEME) * 2 + len(REPORTED_SCHEME), "adjustments": added}
