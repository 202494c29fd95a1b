"""Each role's home answers "what needs me today" (issue 16): the figures on each card,
computed here from the records the test creates, and a query count that stays flat."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from common.templatetags.portal import count, num, pct, qty
from deposits.services import deposit_record
from projects import services
from projects.models import Inflow
from rewards.services import claim_review
from targets.models import Indicator
from targets.selectors import year_settings
from targets.services import quotas_save
from tests.factories import ClerkFactory, ProjectFactory, UnitFactory

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def fdi(db):
    return Indicator.objects.get(code="fdi_actual")


def foreign_project(unit, user, code):
    return services.project_create(
        user=user,
        data={
            "code": code,
            "name": f"外资{code}",
            "capital_type": "foreign",
            "unit": unit,
            "origin": "香港",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 1, 1),
            "approved_on": dt.date(YEAR, 1, 1),
            "contract_amount": D("5000"),
        },
    )


def money(project, amount, user, *, verify=True, voucher=""):
    inflow = services.inflow_create(
        user=user,
        project=project,
        data={"arrived_on": TODAY, "amount": D(amount), "voucher_no": voucher or f"V-{amount}"},
    )
    if verify:
        services.inflow_verify(inflow=inflow, user=user)
    return inflow


def district(units, users, fdi, *, paid):
    """Every unit gets an FDI quota of 1000; the first of each pair reaches it (green), the
    second has nothing verified (red). Each unit has one pending (flagged) and one returned
    inflow, and the units in ``paid`` paid this year's deposit."""
    commerce = users["commerce"]
    quotas_save(
        year=YEAR,
        unit_values={(u.pk, fdi.pk): D("1000") for u in units},
        district_values={fdi.pk: D("10000")},
    )
    for index, unit in enumerate(units):
        project = foreign_project(unit, commerce, f"F{unit.pk}")
        if index % 2 == 0:
            money(project, "1000", commerce, voucher=f"OK-{unit.pk}")
        pending = money(project, "7", commerce, verify=False, voucher=f"P-{unit.pk}")
        Inflow.objects.filter(pk=pending.pk).update(amount_flagged=True, amount_flag_reason="万")
        returned = money(project, "3", commerce, verify=False, voucher=f"R-{unit.pk}")
        services.inflow_return(inflow=returned, user=commerce, reason="凭证不清")
        ProjectFactory(unit=unit, code=f"DUP{unit.pk}", duplicate_flagged=True)
    for unit in paid:
        deposit_record(
            year=YEAR,
            unit=unit,
            amount=year_settings(YEAR).deposit_amount,
            paid_on=TODAY,
            user=users["finance"],
        )


@pytest.fixture
def small(users, unit_a, unit_b, fdi):
    district([unit_a, unit_b], users, fdi, paid=[unit_a])
    return [unit_a, unit_b]


def grow(users, fdi, n=6):
    """Six more units with the same records: the data the query count must not follow."""
    more = [UnitFactory(code=f"X{i:02d}", name=f"新增单位{i}") for i in range(n)]
    district(more, users, fdi, paid=more[:3])
    for unit in more:
        ClerkFactory(username=f"clerk_x{unit.pk}", unit=unit)
    return more


def page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def figure(html, name):
    start = html.index(f'data-figure="{name}">') + len(f'data-figure="{name}">')
    return html[start : html.index("<", start)].strip()


def names(html):
    return re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th>', html)


# --- figures ------------------------------------------------------------------------------


def test_leader_sees_district_cards_status_counts_and_the_ranking(client_as, small, fdi):
    html = page(client_as("leadership"))
    assert figure(html, "actual") == qty(D("1000"), fdi)  # unit A's verified 1000
    assert figure(html, "quota") == qty(D("10000"), fdi)
    assert figure(html, "rate").startswith(pct(D("0.1")))
    assert figure(html, "green") == count(1)  # 甲镇 reached its quota
    assert figure(html, "red") == count(1)  # 乙镇 has nothing verified
    assert figure(html, "yellow") == count(0)
    top = html[html.index('id="home-top"') : html.index('id="home-bottom"')]
    assert top.index("甲镇") < top.index("乙镇")
    assert num(D("100")) in top and num(D("0")) in top  # 综合得分: 100% and 0% at weight 1
    assert reverse("targets:dashboard") in html


def test_leader_bottom_five_are_the_last_places(client_as, small, users, fdi):
    more = grow(users, fdi)  # 8 units: 4 at 100% (甲镇 and every other new one), 4 at 0%
    green = {"甲镇"} | {u.name for u in more[::2]}
    html = page(client_as("leadership"))
    top = names(html[html.index('id="home-top"') : html.index('id="home-bottom"')])
    start = html.index('id="home-bottom"')
    bottom = names(html[start : html.index("</section>", start)])  # the 黑榜's own card
    # The four at 100% lead; the four at 0% share place 5, so the 红榜 takes them all in
    # (ties at the cut) and the 黑榜 has nobody left (a unit is never on both).
    assert len(top) == 8 and set(top[:4]) == green
    assert bottom == []


def test_leader_sees_the_districts_cumulative_trend(client_as, small, fdi):
    html = page(client_as("leadership"))
    trend = html[html.index('id="home-trend"') :]
    assert 'class="progress-chart" role="img"' in trend
    assert "<desc>" in trend  # the chart's figures for a screen reader


def test_the_trend_table_lists_each_month_end_against_the_schedule(small, fdi, monkeypatch):
    from portal.selectors import district_trend
    from targets.reports import build_report

    year_end = dt.date(YEAR, 12, 31)  # the whole year complete: every month-end has a row
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: year_end)
    report = build_report(year_settings(YEAR), year_end)
    trend = next(t for t in district_trend(report) if t["indicator"].code == fdi.code)
    assert len(trend["rows"]) == 12
    december = trend["rows"][-1]
    assert december["actual"] == D("1000") and december["schedule"] == D("10000")
    assert trend["rows"][5]["schedule"] == D("5000")  # June: half the task


def test_commerce_sees_the_queue_flags_and_lagging_units(client_as, small, unit_b):
    html = page(client_as("commerce"))
    assert figure(html, "pending") == count(2)  # one pending per unit; returned ones wait
    assert figure(html, "amount-flagged") == count(2)
    assert figure(html, "duplicates") == count(2)
    assert "最早一笔已等待 0 天" in html
    lagging = html[html.index('data-figure="lagging"') :]
    lagging = lagging[: lagging.index("</ul>")]
    assert "乙镇" in lagging and "甲镇" not in lagging
    assert reverse("targets:unit_dashboard", args=[unit_b.pk]) in lagging


def test_finance_sees_deposits_and_claims_at_its_step(
    client_as, small, users, reward_claim_a, unit_b
):
    amount = year_settings(YEAR).deposit_amount
    html = page(client_as("finance"))
    assert figure(html, "units") == count(2)
    assert figure(html, "paid") == count(1)
    assert figure(html, "unpaid") == count(1)
    assert figure(html, "amount") == num(amount)
    assert figure(html, "expected") == num(amount * 2)
    unpaid = html[html.index("未缴单位") :]
    assert "乙镇" in unpaid[: unpaid.index("</table>")]
    assert figure(html, "claims") == count(0)  # filed: the commerce bureau's step
    claim_review(claim=reward_claim_a, user=users["commerce"])
    html = page(client_as("finance"))
    assert figure(html, "claims") == count(1)
    assert figure(html, "to-approve") == count(1)
    assert figure(html, "to-pay") == count(0)


def test_clerk_sees_own_progress_returned_pending_and_dues(client_as, small, fdi):
    html = page(client_as("clerk"))  # 甲镇: 1000 of 1000, deposit paid
    assert figure(html, "actual") == qty(D("1000"), fdi)
    assert figure(html, "quota") == qty(D("1000"), fdi)
    assert figure(html, "rate").startswith(pct(D("1")))
    assert "status-green" in html
    assert figure(html, "returned") == count(1)
    assert figure(html, "pending") == count(1)
    assert f"{reverse('projects:inflow_list')}?status=returned" in html
    assert 'data-figure="due"' not in html
    other = page(client_as("other_clerk"))  # 乙镇: nothing verified, deposit unpaid
    assert figure(other, "actual") == qty(D("0"), fdi)
    assert "status-red" in other
    due = other[other.index('data-figure="due"') :]
    assert num(year_settings(YEAR).deposit_amount) in due[: due.index("</ul>")]


# --- the query count does not follow the data ----------------------------------------------


@pytest.mark.parametrize("role", ["leadership", "commerce", "finance", "clerk"])
def test_home_query_count_is_flat(client_as, small, users, fdi, role, reward_claim_a):
    client = client_as(role)
    page(client)  # warm caches (session, indicators)
    with CaptureQueriesContext(connection) as before:
        page(client)
    grow(users, fdi)
    with CaptureQueriesContext(connection) as after:
        html = page(client)
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    if role == "leadership":
        assert "新增单位" in html  # the bigger data is on the page
