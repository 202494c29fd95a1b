"""The demo's close: the last loaded month closed, the city's figures with one explained
difference, one 通报 (the full demo load runs in tests/common/test_demo_data.py)."""

import datetime as dt

from closing import demo, selectors
from closing.models import Bulletin, CityFigure
from targets import closes
from tests.closing.conftest import YEAR


def test_the_demo_closes_the_last_month_and_enters_the_city_figures(figures, commerce):
    assert demo.load(year=YEAR, last_day=dt.date(YEAR, 6, 30), commerce=commerce) == {
        "closed_month": 6
    }
    assert closes.live_close(YEAR, 6) is not None
    rows = {r["indicator"].code: r for r in selectors.city_comparison(YEAR, 6)["rows"]}
    assert rows["fdi_actual"]["difference"] == demo.CITY_EXTRA
    assert rows["fdi_actual"]["city"].explanation
    assert rows["fdi_contract"]["difference"] == 0
    assert CityFigure.objects.count() == len(rows)
    assert Bulletin.objects.get().closed


def test_a_mid_month_last_day_closes_nothing(figures, commerce):
    assert demo.load(year=YEAR, last_day=dt.date(YEAR, 6, 15), commerce=commerce) == {}
    assert closes.live_close(YEAR, 6) is None
