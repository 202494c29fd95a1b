"""The 合计 row of the project and inflow lists: over the whole filtered list (not the page),
外资 (万美元) and 内资 (万元) summed apart, in one query whatever the number of rows."""

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ForeignProjectFactory, InflowFactory, ProjectFactory

INFLOWS = reverse("projects:inflow_list")
PROJECTS = reverse("projects:list")


def footer(response) -> str:
    html = response.content.decode()
    match = re.search(r"<tfoot[^>]*>(.*?)</tfoot>", html, re.S)
    assert match, "no 合计 row"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_the_inflow_total_covers_every_filtered_row_not_just_the_page(client_as, unit_a, settings):
    settings.LIST_PAGE_SIZE = 2
    domestic = ProjectFactory(unit=unit_a)
    for n in range(5):
        InflowFactory(project=domestic, amount=Decimal("1000.25"), voucher_no=f"N-{n}")
    text = footer(client_as("commerce").get(INFLOWS))
    assert "合计（全部筛选结果）" in text
    assert "内资（万元）：5,001.25" in text  # five rows, though the page shows two
    assert "外资" not in text  # no foreign rows: no foreign line


def test_foreign_and_domestic_are_never_added_together(client_as, unit_a):
    InflowFactory(project=ProjectFactory(unit=unit_a), amount=Decimal("300"))
    InflowFactory(project=ForeignProjectFactory(unit=unit_a), amount=Decimal("12.5"))
    text = footer(client_as("commerce").get(INFLOWS))
    assert "外资（万美元）：12.50" in text and "内资（万元）：300.00" in text
    assert "312.50" not in text


def test_the_total_follows_the_filter_and_the_clerks_scope(client_as, unit_a, unit_b):
    InflowFactory(project=ProjectFactory(unit=unit_a), amount=Decimal("300"))
    InflowFactory(project=ProjectFactory(unit=unit_b), amount=Decimal("700"))
    commerce = client_as("commerce")
    assert "内资（万元）：1,000.00" in footer(commerce.get(INFLOWS))
    assert "内资（万元）：700.00" in footer(commerce.get(INFLOWS, {"unit": unit_b.pk}))
    assert "内资（万元）：300.00" in footer(client_as("clerk").get(INFLOWS))
    text = footer(commerce.get(INFLOWS, {"capital_type": "foreign"}))
    assert "内资" not in text and "—" in text


def test_the_project_list_totals_contract_amounts_by_type(client_as, unit_a):
    ProjectFactory(unit=unit_a, contract_amount=Decimal("5000"))
    ProjectFactory(unit=unit_a, contract_amount=Decimal("2500.5"))
    ForeignProjectFactory(unit=unit_a, contract_amount=Decimal("80"))
    text = footer(client_as("commerce").get(PROJECTS))
    assert "内资（万元）：7,500.50" in text and "外资（万美元）：80.00" in text


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_total_costs_one_query_whatever_the_rows(client_as, unit_a):
    client = client_as("commerce")
    InflowFactory(project=ProjectFactory(unit=unit_a))
    InflowFactory(project=ForeignProjectFactory(unit=unit_a))
    few_inflows, few_projects = queries(client, INFLOWS), queries(client, PROJECTS)
    for _n in range(6):
        InflowFactory(project=ProjectFactory(unit=unit_a))
        InflowFactory(project=ForeignProjectFactory(unit=unit_a))
    assert queries(client, INFLOWS) == few_inflows
    assert queries(client, PROJECTS) == few_projects
    with CaptureQueriesContext(connection) as ctx:
        client.get(INFLOWS)
    sums = [q["sql"] for q in ctx.captured_queries if "SUM(" in q["sql"].upper()]
    assert len(sums) == 1  # both currencies in the one aggregate


def test_past_the_count_cap_the_row_says_so_instead_of_summing(client_as, unit_a, settings):
    """A list of a million rows is not summed on every page view: up to LIST_COUNT_CAP rows
    (the lists' exact count) it is, past it the row says why there is no 合计."""
    settings.LIST_COUNT_CAP = 3
    project = ProjectFactory(unit=unit_a)
    for n in range(3):
        InflowFactory(project=project, amount=Decimal("1"), voucher_no=f"C-{n}")
    client = client_as("commerce")
    assert "内资（万元）：3.00" in footer(client.get(INFLOWS))
    InflowFactory(project=project, amount=Decimal("1"), voucher_no="C-3")
    text = footer(client.get(INFLOWS))
    assert "超过 3 条" in text and "内资（万元）" not in text
    assert "内资（万元）：1.00" in footer(client.get(INFLOWS, {"q": "C-3"}))
