"""履约率 and 成功率 from the projects' real 开工/投产日期, per unit and for the district, and the
pipeline page that shows them (its query count stays flat)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects.selectors import fulfilment_rates
from tests.factories import ProjectFactory, UnitFactory

YEAR = 2025
AS_OF = dt.date(YEAR, 6, 30)


def d(month, day, year=YEAR):
    return dt.date(year, month, day)


@pytest.fixture
def signed(unit_a, unit_b):
    """Unit A: 4 signed in 1–6月 (one started, one producing, one terminated unstarted, one
    at 开工 without a date), plus projects outside the denominator; unit B: 1, started after
    the as-of date."""
    make = ProjectFactory
    make(unit=unit_a, signed_on=d(1, 5), stage="started", started_on=d(3, 1))
    make(
        unit=unit_a, signed_on=d(2, 5), stage="producing", started_on=d(3, 1), produced_on=d(6, 30)
    )
    make(unit=unit_a, signed_on=d(3, 5), stage="terminated")
    make(unit=unit_a, signed_on=d(4, 5), stage="started")  # no 开工日期: not counted
    # Outside: signed after as_of, signed last year, withdrawn, never signed.
    make(unit=unit_a, signed_on=d(7, 1), stage="started", started_on=d(7, 2))
    make(unit=unit_a, signed_on=d(12, 1, YEAR - 1), stage="started", started_on=d(1, 2))
    make(unit=unit_a, signed_on=d(1, 9), stage="withdrawn", withdrawn_reason="重复统计")
    make(unit=unit_a, signed_on=None, stage="intention")
    make(unit=unit_b, signed_on=d(5, 1), stage="started", started_on=d(7, 15))


def test_the_rates_per_unit_and_district(signed, unit_a, unit_b):
    rates = fulfilment_rates(YEAR, AS_OF)
    by_unit = {u.unit_id: u for u in rates["units"]}
    a, b = by_unit[unit_a.pk], by_unit[unit_b.pk]
    assert (a.signed, a.started, a.produced, a.undated) == (4, 2, 1, 1)
    assert a.fulfilment == Decimal("0.5") and a.success == Decimal("0.25")
    # Unit B's project started after the as-of date: not yet.
    assert (b.signed, b.started, b.produced) == (1, 0, 0)
    assert b.fulfilment == 0 and b.success == 0
    district = rates["district"]
    assert (district.signed, district.started, district.produced) == (5, 2, 1)
    assert district.fulfilment == Decimal("0.4") and district.success == Decimal("0.2")
    # Later in the year unit B's start counts.
    later = fulfilment_rates(YEAR, d(7, 31))["district"]
    assert (later.signed, later.started) == (6, 4)


def test_no_signed_project_means_no_rate(db, unit_a):
    ProjectFactory(unit=unit_a, signed_on=None, stage="negotiation")
    rates = fulfilment_rates(YEAR, AS_OF)
    assert rates["units"] == []
    assert rates["district"].fulfilment is None and rates["district"].success is None


def test_the_pipeline_page_shows_them(client_as, signed, unit_a):
    params = {"year": YEAR, "as_of": AS_OF.isoformat()}
    html = client_as("clerk").get(reverse("reporting:pipeline"), params).content.decode()
    assert "40.00%（2 / 5）" in html and "20.00%（1 / 5）" in html
    assert "其中 1 个项目阶段为开工或投产但未填相应日期" in html
    assert unit_a.name in html and "50.00%" in html and "25.00%" in html


def test_an_empty_year_shows_a_dash(client_as, db):
    html = client_as("leadership").get(reverse("reporting:pipeline"), {"year": 2019}).content
    assert "—（0 / 0）" in html.decode()


def test_the_pipeline_page_keeps_its_query_count(client_as, signed):
    client = client_as("commerce")
    params = {"year": YEAR, "as_of": AS_OF.isoformat()}

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reporting:pipeline"), params).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(5):
        unit = UnitFactory()
        ProjectFactory.create_batch(
            3, unit=unit, signed_on=d(2, 1 + n), stage="started", started_on=d(3, 1)
        )
    assert count() == few


def test_the_monthly_workbook_carries_the_rates(signed, unit_a, client_as):
    """The 1–N月 export (targets) gets its 履约率与成功率 sheet from the reporting app."""
    response = client_as("commerce").get(
        reverse("targets:dashboard"), {"year": YEAR, "as_of": AS_OF.isoformat(), "export": "xlsx"}
    )
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["履约率与成功率"].iter_rows(values_only=True))
    assert rows[1] == (
        "单位",
        "签约项目（个）",
        "已开工（个）",
        "已投产（个）",
        "履约率（%）",
        "成功率（%）",
    )
    assert (unit_a.name, 4, 2, 1, 50, 25) in rows
    assert rows[-1][1:] == (5, 2, 1, 40, 20)
