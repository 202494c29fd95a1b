"""The changes since a close (scoped to the unit) and the city's figures against the frozen
district totals."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from closing import selectors, services
from closing.models import CityFigure
from projects import services as project_services
from tests.closing.conftest import YEAR, money


@pytest.fixture
def closed_june(figures, commerce):
    services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)
    return figures


def test_the_changes_list_names_the_inflow_unit_indicator_and_amount(closed_june, client_as):
    response = client_as("commerce").get(reverse("closing:changes", args=[YEAR, 6]))
    data = response.context["data"]
    [row] = data["inflows"]
    assert row["inflow"].voucher_no == "LATE-1"
    assert row["unit"].code == "A01"
    assert row["indicator"].code == "fdi_actual"
    changes = {(c["unit"].code if c["unit"] else "全区", c["indicator"].code): c["delta"]
               for c in data["figures"]}  # fmt: skip
    assert changes == {("A01", "fdi_actual"): D("100"), ("全区", "fdi_actual"): D("100")}
    page = response.content.decode()
    assert "LATE-1" in page and "甲镇" in page and "100.00" in page


def test_inflows_verified_before_the_close_or_after_the_period_are_not_changes(
    figures, commerce, client_as
):
    money(figures["foreign"], dt.date(YEAR, 7, 2), "50", commerce)
    services.month_close(year=YEAR, month=6, user=commerce)
    money(figures["foreign"], dt.date(YEAR, 7, 3), "60", commerce)
    response = client_as("commerce").get(reverse("closing:changes", args=[YEAR, 6]))
    assert response.context["data"]["inflows"] == []
    assert response.context["data"]["figures"] == []


def test_a_clerk_sees_only_the_own_units_changes(closed_june, client_as):
    mine = client_as("clerk").get(reverse("closing:changes", args=[YEAR, 6])).context["data"]
    assert [r["inflow"].voucher_no for r in mine["inflows"]] == ["LATE-1"]
    assert {c["unit"].code for c in mine["figures"]} == {"A01"}  # no district row
    other = client_as("other_clerk").get(reverse("closing:changes", args=[YEAR, 6]))
    assert other.context["data"]["inflows"] == []
    assert other.context["data"]["figures"] == []
    assert "LATE-1" not in other.content.decode()


def test_the_changes_page_of_an_open_month_says_so(db, client_as):
    response = client_as("commerce").get(reverse("closing:changes", args=[YEAR, 6]))
    assert response.status_code == 200 and "尚未关账" in response.content.decode()


def test_the_changes_page_costs_the_same_whatever_the_number_of_inflows(
    figures, commerce, client_as
):
    services.month_close(year=YEAR, month=6, user=commerce)
    client = client_as("commerce")
    url = reverse("closing:changes", args=[YEAR, 6])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    money(figures["foreign"], dt.date(YEAR, 4, 1), "1", commerce)
    before = count()
    for day in range(2, 7):
        money(figures["foreign"], dt.date(YEAR, 4, day), "1", commerce)
    assert count() == before


def test_the_months_page_costs_the_same_whatever_the_number_of_closes(figures, client_as, commerce):
    client = client_as("leadership")
    url = reverse("closing:months", args=[YEAR])
    services.month_close(year=YEAR, month=1, user=commerce)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    before = len(ctx.captured_queries)
    for month in range(2, 8):
        services.month_close(year=YEAR, month=month, user=commerce)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) == before


# --- the city's figures -----------------------------------------------------------------


def test_the_city_page_shows_the_difference_and_keeps_the_explanation(closed_june, client_as):
    client = client_as("commerce")
    url = reverse("closing:city", args=[YEAR, 6])
    response = client.post(
        url,
        {
            "amount_fdi_actual": "530",
            "explanation_fdi_actual": "市里计入了一笔七月初到账的资金",
            "amount_foreign_projects": "1",
        },
        follow=True,
    )
    assert "已保存 2 项市公布数据" in response.content.decode()
    rows = {r["indicator"].code: r for r in response.context["rows"]}
    assert rows["fdi_actual"]["district"] == D("512")  # the frozen total, not the live 612
    assert rows["fdi_actual"]["difference"] == D("18.00")
    assert rows["foreign_projects"]["difference"] == D("0")
    assert rows["domestic_actual"]["difference"] is None
    figure = CityFigure.objects.get(indicator__code="fdi_actual")
    assert figure.explanation == "市里计入了一笔七月初到账的资金"
    assert "市里计入了一笔七月初到账的资金" in client.get(url).content.decode()
    # an empty amount removes the entry
    client.post(url, {"amount_foreign_projects": "1", "explanation_fdi_actual": ""})
    assert not CityFigure.objects.filter(indicator__code="fdi_actual").exists()


def test_a_bad_city_figure_saves_nothing(closed_june, client_as):
    response = client_as("commerce").post(
        reverse("closing:city", args=[YEAR, 6]),
        {"amount_fdi_actual": "12", "amount_foreign_projects": "-3"},
    )
    assert response.status_code == 200
    assert "未保存任何修改" in response.content.decode()
    assert not CityFigure.objects.exists()


def test_the_city_comparison_without_a_close_has_no_district_total(figures):
    comparison = selectors.city_comparison(YEAR, 6)
    assert comparison["close"] is None
    assert all(row["district"] is None for row in comparison["rows"])


def test_finance_reads_the_city_page_but_cannot_save(closed_june, client_as):
    client = client_as("finance")
    assert client.get(reverse("closing:city", args=[YEAR, 6])).status_code == 200
    response = client.post(reverse("closing:city", args=[YEAR, 6]), {"amount_fdi_actual": "1"})
    assert response.status_code == 403
    assert not CityFigure.objects.exists()
