"""The assessment scheme in a real browser: the commerce bureau sets the year's weights,
caps and a bonus; the ranking shows 综合得分 with the 红黑榜; a unit's page shows how its
score is made. Each page is checked with axe at 1366 px and 390 px."""

import datetime as dt
from decimal import Decimal

import pytest

from targets.models import Indicator, SchemeEntry
from targets.services import quotas_save
from units.models import Unit

pytestmark = pytest.mark.e2e


def test_scheme_the_bureau_sets_weights_and_a_bonus_and_the_ranking_follows(roster, open_session):
    year = dt.date.today().year
    fdi = Indicator.objects.get(code="fdi_actual")
    units = list(Unit.objects.filter(is_active=True).order_by("display_order")[:3])
    quotas_save(
        year=year,
        unit_values={(u.pk, fdi.pk): Decimal("100") for u in units},
        district_values={},
    )
    bureau = open_session()
    page = bureau.login("commerce")
    bureau.go(f"/targets/{year}/scheme/")
    bureau.shot("scheme")  # the guide's picture; shot() runs axe too
    page.get_by_label("实际到位外资 权重").fill("3")
    page.get_by_label("实际到位外资 封顶").fill("110")
    page.get_by_role("button", name="保存考核方案").click()
    assert f"{year} 年考核方案已保存" in bureau.text()
    assert SchemeEntry.objects.get(year__year=year, indicator=fdi).cap_percent == Decimal("110")

    bureau.go(f"/targets/{year}/adjustments/")
    page.get_by_label("单位").select_option(str(units[2].pk))
    page.get_by_label("分值").fill("2.5")
    page.get_by_label("事由").fill("引进省级重大项目")
    page.get_by_role("button", name="保存").click()
    assert "已录入加减分" in bureau.text() and "引进省级重大项目" in bureau.text()
    bureau.check_accessibility("adjustments page")

    bureau.go(f"/targets/progress/ranking/?year={year}")
    text = bureau.text()
    assert "红榜" in text and "黑榜" in text and "综合得分" in text
    assert text.index(units[2].name) < text.index(units[0].name)  # the bonus leads
    bureau.shot("ranking-boards")

    bureau.go(f"/targets/progress/units/{units[2].pk}/?year={year}")
    assert "综合得分 2.50" in bureau.text() and "引进省级重大项目" in bureau.text()
    bureau.check_accessibility("unit score breakdown")
    problems = bureau.check_layout("scheme", figures=("h1",))
    bureau.go(f"/targets/{year}/scheme/")
    problems += bureau.check_layout("scheme page", figures=("h1",))
    assert not problems, "\n".join(problems)
