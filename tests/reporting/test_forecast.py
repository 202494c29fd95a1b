"""The year-end forecast: the pure method (properties), its inputs from the records, the
two commands (forecast_report, backtest_forecast)."""

import csv
import datetime as dt
import io
import threading
import time
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from projects import services
from reporting import forecast as forecast_module
from reporting.forecast import (
    CSV_HEADER,
    Pipeline,
    build_forecasts,
    kept_pipeline,
    percentile,
    read_pipeline,
)
from targets import forecast, report_cache
from targets.models import Indicator
from targets.reports import build_report
from targets.selectors import year_settings
from targets.services import quotas_save
from tests.factories import UnitFactory

YEAR = 2025  # the forecast year; 2024 is its past

amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
months = st.integers(min_value=0, max_value=12)
shares = st.decimals(min_value=0, max_value=1, places=4)
profiles = st.lists(st.lists(amounts, min_size=12, max_size=12), max_size=5)


# --- the method ---------------------------------------------------------------------------


@given(counted=amounts, month=months, share=shares, pipeline=amounts)
def test_the_forecast_is_never_below_what_is_counted(counted, month, share, pipeline):
    assert forecast.forecast_year_end(counted, month, share, pipeline) >= counted


@given(counted=amounts, share=shares, pipeline=amounts, past=profiles)
def test_on_31_december_the_forecast_is_the_actual(counted, share, pipeline, past):
    assert forecast.remaining_share(past, 12) == 0
    assert forecast.forecast_year_end(counted, 12, share, pipeline) == counted


@given(past=profiles, month=months)
def test_the_remaining_share_is_a_share(past, month):
    assert 0 <= forecast.remaining_share(past, month) <= 1


@given(month=months)
def test_without_past_years_money_is_spread_evenly(month):
    assert forecast.remaining_share([], month) == D(12 - month) / 12
    assert forecast.remaining_share([[D(0)] * 12], month) == D(12 - month) / 12


@given(low=amounts, high=amounts, month=st.integers(0, 11), share=shares)
def test_more_counted_never_forecasts_less(low, high, month, share):
    low, high = sorted((low, high))
    assert forecast.forecast_year_end(low, month, share) <= forecast.forecast_year_end(
        high, month, share
    )


def test_the_worked_example_of_the_docstring():
    # A past year brought 200 in March and 600 in September: after June, 3/4 is still to come.
    past = [[D(0), D(0), D(200), D(0), D(0), D(0), D(0), D(0), D(600), D(0), D(0), D(0)]]
    share = forecast.remaining_share(past, 6)
    assert share == D("0.75")
    assert forecast.trend_remaining(D(300), share) == D(900)
    assert forecast.pipeline_remaining(D(500), D("0.8"), 6) == D(200)
    assert forecast.forecast_year_end(D(300), 6, share, D(200)) == D(1200)
    assert forecast.forecast_year_end(D(0), 6, share, D(80)) == D(80)


def test_nothing_contracted_means_no_arrival_rate():
    assert forecast.arrival_rate(D(0), D(5)) == 0
    assert forecast.arrival_rate(D(100), D(150)) == 1


def test_months_outside_the_year_are_refused():
    with pytest.raises(ValueError):
        forecast.forecast_year_end(D(1), 13, D(0))


def test_percentile_is_nearest_rank():
    values = [D(v) for v in (5, 1, 4, 2, 3)]
    assert percentile(values, D("0.5")) == 3
    assert percentile(values, D("0.9")) == 5
    assert percentile([], D("0.5")) is None


# --- from the records ---------------------------------------------------------------------


def money(project, day, amount, user):
    inflow = services.inflow_create(
        user=user,
        project=project,
        data={"arrived_on": day, "amount": D(amount), "voucher_no": f"V-{project.pk}-{day}"},
    )
    services.inflow_verify(inflow=inflow, user=user)


def foreign_project(user, unit, code, signed_on, contract):
    return services.project_create(
        user=user,
        data={
            "code": code,
            "name": f"外资{code}",
            "capital_type": "foreign",
            "unit": unit,
            "origin": "香港",
            "stage": "signed",
            "signed_on": signed_on,
            "approved_on": signed_on,
            "contract_amount": D(contract),
        },
    )


@pytest.fixture
def history(unit_a, unit_b, commerce):
    """2024: unit B's project (contract 1,000) brought 200 in March and 600 in September.
    2025: unit A's project (contract 800) brought 300 in March; quotas A 1,000, B 500."""
    ind = {i.code: i for i in Indicator.objects.all()}
    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("1000"),
            (unit_b.pk, ind["fdi_actual"].pk): D("500"),
        },
        district_values={},
    )
    old = foreign_project(commerce, unit_b, "F0", dt.date(2024, 1, 5), "1000")
    money(old, dt.date(2024, 3, 10), "200", commerce)
    money(old, dt.date(2024, 9, 10), "600", commerce)
    new = foreign_project(commerce, unit_a, "F1", dt.date(YEAR, 1, 5), "800")
    money(new, dt.date(YEAR, 3, 10), "300", commerce)


def forecasts_of(as_of):
    report = build_report(year_settings(YEAR), as_of)
    return {(f.unit.code, f.indicator.code): f for f in build_forecasts(report)}


@pytest.mark.django_db
def test_trend_and_pipeline_from_the_records(history, unit_a, unit_b):
    found = forecasts_of(dt.date(YEAR, 6, 30))
    a = found[(unit_a.code, "fdi_actual")]
    # Trend: 300 × 0.75 ÷ 0.25 = 900; pipeline: 500 outstanding × 0.8 × 6/12 = 200.
    assert (a.counted, a.year_end, a.rate, a.warning) == (D(300), D(1200), D("1.2"), False)
    b = found[(unit_b.code, "fdi_actual")]
    # Nothing counted this year; the 2024 project still owes 200: 200 × 0.8 × 6/12 = 80.
    assert (b.counted, b.year_end, b.warning, b.gap) == (D(0), D(80), True, D(420))


@pytest.mark.django_db
def test_the_year_end_forecast_is_the_actual(history, unit_a):
    found = forecasts_of(dt.date(YEAR, 12, 31))
    assert found[(unit_a.code, "fdi_actual")].year_end == D(300)


@pytest.mark.django_db
def test_the_forecast_reads_a_fixed_number_of_queries(history, commerce):
    def count():
        report = build_report(year_settings(YEAR), dt.date(YEAR, 6, 30))
        with CaptureQueriesContext(connection) as queries:
            build_forecasts(report)
        return len(queries)

    before = count()
    for n in range(5):
        unit = UnitFactory()
        project = foreign_project(commerce, unit, f"X{n}", dt.date(YEAR, 2, 1), "90")
        money(project, dt.date(YEAR, 4, 1), "10", commerce)
    assert count() == before


@pytest.mark.django_db
def test_the_projects_reading_is_kept_for_a_few_minutes_and_the_page_says_when(
    history, unit_a, commerce, client_as, monkeypatch, settings
):
    """The one pass over the projects is kept FORECAST_PIPELINE_SECONDS (outside a
    transaction); the counted figures stay live, and the page gives the reading's time."""
    monkeypatch.setattr(report_cache, "may_keep", lambda: True)
    first = kept_pipeline(YEAR, dt.date(YEAR, 6, 30), "湖南省")
    assert first.owed["foreign"][unit_a.pk] == D(500)
    foreign_project(commerce, unit_a, "F2", dt.date(YEAR, 2, 1), "100")
    assert kept_pipeline(YEAR, dt.date(YEAR, 6, 30), "湖南省") == first  # kept
    assert read_pipeline(YEAR, dt.date(YEAR, 6, 30), "湖南省").owed["foreign"][unit_a.pk] == D(600)
    settings.FORECAST_PIPELINE_SECONDS = 0  # nothing kept: read afresh
    cache.clear()
    assert kept_pipeline(YEAR, dt.date(YEAR, 6, 30), "湖南省").owed["foreign"][unit_a.pk] == D(600)
    page = client_as("commerce").get(
        reverse("reporting:forecast"), {"year": YEAR, "as_of": f"{YEAR}-06-30"}
    )
    assert "读取的数据估算" in page.content.decode()


# --- the commands -------------------------------------------------------------------------


@pytest.mark.django_db
def test_forecast_report_prints_the_contracted_csv(history, unit_b):
    out, err = io.StringIO(), io.StringIO()
    call_command("forecast_report", year=YEAR, as_of="2025-06-30", stdout=out, stderr=err)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == CSV_HEADER
    assert all(row[0] != "全区" for row in rows[1:])
    b = next(row for row in rows if row[0] == unit_b.code and row[2] == "fdi_actual")
    assert b == [unit_b.code, unit_b.name, "fdi_actual", "500.00", "0.00", "80.00", "16.00", "是"]
    counts = next(row for row in rows if row[0] == unit_b.code and row[2] == "foreign_projects")
    assert counts[3:] == ["", "0", "0", "", ""]
    assert "2025" in err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options",
    [{"year": YEAR, "as_of": "2026-01-01"}, {"year": YEAR, "as_of": "2025/6/30"}],
)
def test_forecast_report_refuses_a_bad_as_of(options):
    with pytest.raises(CommandError):
        call_command("forecast_report", stdout=io.StringIO(), **options)


@pytest.mark.django_db
def test_backtest_prints_one_line_per_month(history):
    out = io.StringIO()
    call_command("backtest_forecast", "--year", "2024", stdout=out, stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["月份", "样本数", "绝对百分比误差中位数", "绝对百分比误差90分位"]
    assert [row[0] for row in rows[1:]] == [f"1–{m}月" for m in range(1, 12)]
    # Unit B's three cases of 2024, no earlier profile (even spread), after March:
    # fdi_actual 200 counted → 200 + 200 × 9/12 ÷ 3/12 = 800, the real total: 0 % off;
    # fdi_contract 1,000 (approved in January) → 4,000, and foreign_projects 1 → 4: 300 % off.
    march = rows[3]
    assert march == ["1–3月", "3", "300.00", "300.00"]
    december_less_one = rows[11]
    assert december_less_one[1] == "3"


@pytest.mark.django_db
def test_backtest_without_past_years_says_so():
    with pytest.raises(CommandError, match="没有可回测"):
        call_command("backtest_forecast", stdout=io.StringIO())


# --- the pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_forecast_page_lists_the_warnings_with_their_gap(history, client_as, unit_b):
    page = client_as("leadership").get(
        "/targets/progress/forecast/", {"year": YEAR, "as_of": "2025-07-31"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    table = html[html.index('data-figure="warnings"') :]
    assert unit_b.name in table
    assert "还需到位约" in table


@pytest.mark.django_db
def test_warnings_wait_for_july_on_pages(history, client_as, unit_b):
    page = client_as("commerce").get(
        "/targets/progress/forecast/", {"year": YEAR, "as_of": "2025-06-30"}
    )
    html = page.content.decode()
    assert 'data-figure="warnings"' not in html
    assert "预警从 7 月起" in html
    unit_page = client_as("commerce").get(
        f"/targets/progress/units/{unit_b.pk}/", {"year": YEAR, "as_of": "2025-06-30"}
    )
    assert 'id="unit-forecast"' not in unit_page.content.decode()


@pytest.mark.django_db
def test_the_units_own_page_shows_its_forecast_and_gap(history, client_as, unit_b):
    page = client_as("leadership").get(
        f"/targets/progress/units/{unit_b.pk}/", {"year": YEAR, "as_of": "2025-07-31"}
    )
    html = page.content.decode()
    section = html[html.index('id="unit-forecast"') :]
    # After July: 0 counted, 200 outstanding × 0.8 × 5/12 = 66.67 → short of 500 by 433.33.
    assert "66.67" in section and "433.33" in section


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leadership", "commerce"])
@override_settings(FORECAST_WARNINGS_FROM_MONTH=1)  # whatever month the suite runs in
def test_the_homes_carry_the_warnings_card(role, client_as, unit_b, commerce):
    """Today's year: unit B's quota and nothing counted → a warning."""
    ind = Indicator.objects.get(code="fdi_actual")
    year = timezone.localdate().year
    quotas_save(year=year, unit_values={(unit_b.pk, ind.pk): D("500")}, district_values={})
    html = client_as(role).get("/").content.decode()
    card = html[html.index('id="home-warnings"') :]
    assert unit_b.name in card


@pytest.mark.django_db
@override_settings(FORECAST_WARNINGS_FROM_MONTH=13)  # never: the card stays away
def test_the_homes_wait_for_the_warning_month(client_as, unit_b):
    assert 'id="home-warnings"' not in client_as("leadership").get("/").content.decode()


@pytest.mark.django_db
def test_only_deposit_deciding_indicators_warn(history, unit_b, commerce):
    """Once the year has a scheme, an indicator it does not let decide the deposit never
    carries a 预警, however far the forecast falls short."""
    from targets.models import AssessmentYear, SchemeEntry

    year = AssessmentYear.objects.get(year=YEAR)
    fdi = Indicator.objects.get(code="fdi_actual")
    SchemeEntry.objects.create(year=year, indicator=fdi, weight=1, decides_deposit=False)
    b = forecasts_of(dt.date(YEAR, 6, 30))[(unit_b.code, "fdi_actual")]
    assert b.rate < 1 and not b.warning


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_process_at_a_time_reads_the_pipeline(monkeypatch):
    """On PostgreSQL two readers of the same period at once: one reads the projects, the
    other waits on the advisory lock and takes what the first kept."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: advisory locks across connections")
    monkeypatch.setattr(report_cache, "may_keep", lambda: True)
    reads = []

    def slow_read(year, as_of, home_province):
        reads.append(1)
        time.sleep(0.5)
        return Pipeline(timezone.now(), {"foreign": D(1), "domestic": D(1)}, {})

    monkeypatch.setattr(forecast_module, "read_pipeline", slow_read)
    results = []

    def reader():
        try:
            results.append(kept_pipeline(YEAR, dt.date(YEAR, 6, 30), "湖南省"))
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert reads == [1]
    assert len(results) == 2 and results[0] == results[1]


@pytest.mark.django_db
def test_warm_caches_reads_the_default_periods_pipelines(monkeypatch):
    """`manage.py warm_caches` keeps the pipelines the pages open on (today's for the homes,
    the last complete month's for the progress pages), so a page after it reads nothing."""
    monkeypatch.setattr(report_cache, "may_keep", lambda: True)
    out = io.StringIO()
    call_command("warm_caches", stdout=out)
    today = timezone.localdate()
    lines = out.getvalue().splitlines()
    assert len(lines) in (1, 2) and all("全年预计的项目数据" in line for line in lines)
    monkeypatch.setattr(forecast_module, "read_pipeline", lambda *a: pytest.fail("read again"))
    home = year_settings(today.year).home_province
    assert kept_pipeline(today.year, today, home) is not None  # from the cache
