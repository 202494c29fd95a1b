"""Kept progress reports (targets.report_cache): the database raises the figures version on
every write to a table the report reads, and a kept report is used only at its version."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from projects import services
from targets import report_cache
from targets.closes import report_for
from targets.models import (
    DistrictTask,
    Indicator,
    PeriodClose,
    Quota,
    Rollup,
    SchemeEntry,
    ScoreAdjustment,
)
from targets.selectors import year_settings
from targets.services import year_get_or_create
from tests.factories import ForeignProjectFactory, InflowFactory, UnitFactory

YEAR = 2025
version = report_cache.figures_version


@pytest.fixture
def fdi(db):
    return Indicator.objects.get(code="fdi_actual")


def _write_each_way(make, counter=report_cache.REPORT):
    """Create, change and delete one row; the counter after each step."""
    seen = [version(counter)]
    row = make()
    seen.append(version(counter))
    row.save()
    seen.append(version(counter))
    row.delete()
    seen.append(version(counter))
    return seen


def _rows(unit, fdi, commerce):
    year = year_get_or_create(YEAR)
    return {
        "quota": lambda: Quota.objects.create(year=year, unit=unit, indicator=fdi, amount=D(1)),
        "district task": lambda: DistrictTask.objects.create(year=year, indicator=fdi, amount=D(1)),
        "scheme": lambda: SchemeEntry.objects.create(year=year, indicator=fdi, weight=D(1)),
        "加减分": lambda: ScoreAdjustment.objects.create(
            year=year, unit=unit, points=D(1), reason="测试", entered_by=commerce
        ),
        "rollup": lambda: Rollup.objects.create(
            year=YEAR, month=3, day=0, unit=unit, indicator=fdi, amount=D(1)
        ),
        "close": lambda: PeriodClose.objects.create(
            year=year,
            month=1,
            state="closed",
            closed_at=timezone.now(),
            closed_by_name="测试",
            snapshot={},
        ),
        "unit": lambda: UnitFactory(code="Z99", name="测试单位"),
        "project": lambda: ForeignProjectFactory(unit=unit),
        "indicator": lambda: Indicator.objects.create(
            code="test_ind", name="测试指标", kind="reported", unit_label="平方米"
        ),
    }


@pytest.mark.parametrize(
    "table",
    [
        "quota",
        "district task",
        "scheme",
        "加减分",
        "rollup",
        "close",
        "unit",
        "indicator",
        "project",
    ],
)
def test_every_write_to_a_table_the_report_reads_raises_the_version(table, unit_a, fdi, commerce):
    make = _rows(unit_a, fdi, commerce)[table]
    counter = report_cache.PROJECTS if table == "project" else report_cache.REPORT
    seen = _write_each_way(make, counter)
    assert seen[0] is not None
    assert seen == sorted(set(seen)), seen  # insert, update and delete each raised it


def test_a_raw_sql_write_raises_it_too(unit_a, fdi):
    """No write path can forget it: the trigger sits in the database."""
    before = version()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO targets_rollup (year, month, day, unit_id, indicator_id, amount) "
            "VALUES (%s, 1, 0, %s, %s, 5)",
            [YEAR, unit_a.pk, fdi.pk],
        )
    assert version() > before


def test_writes_elsewhere_leave_it_alone(unit_a, commerce):
    project = ForeignProjectFactory(unit=unit_a)
    before = version(), version(report_cache.PROJECTS)
    InflowFactory(project=project)  # pending money counts nothing yet
    assert (version(), version(report_cache.PROJECTS)) == before


def test_a_project_write_leaves_the_reports_counter_alone(unit_a):
    """So that a long import of projects does not make the rollup's writers queue."""
    before = version()
    ForeignProjectFactory(unit=unit_a)
    assert version() == before


def test_a_kept_value_is_used_only_at_its_version(monkeypatch, unit_a, fdi):
    monkeypatch.setattr(report_cache, "may_keep", lambda: True)
    built = []

    def build():
        built.append(1)
        return len(built)

    assert report_cache.cached("k", build) == 1
    assert report_cache.cached("k", build) == 1  # kept
    Rollup.objects.create(year=YEAR, month=2, day=0, unit=unit_a, indicator=fdi, amount=D(3))
    assert report_cache.cached("k", build) == 2  # the figures moved: built again
    assert report_cache.cached("k", build) == 2


def test_nothing_is_kept_from_inside_a_transaction(db):
    """A transaction may have raised the counter and may still roll back."""
    with transaction.atomic():
        report_for(year_settings(YEAR), dt.date(YEAR, 6, 30))
    assert not report_cache._kept


def test_the_dashboard_shows_money_verified_after_its_report_was_kept(
    monkeypatch, client, commerce, unit_a
):
    """As between two requests in production (no test transaction keeping it out)."""
    monkeypatch.setattr(report_cache, "may_keep", lambda: True)
    client.force_login(commerce)
    url = reverse("targets:dashboard") + f"?year={YEAR}&as_of={YEAR}-06-30"
    project = ForeignProjectFactory(
        unit=unit_a, signed_on=dt.date(YEAR, 1, 5), approved_on=dt.date(YEAR, 1, 6)
    )
    client.get(url)
    with CaptureQueriesContext(connection) as kept:
        first = client.get(url)
    assert not any("targets_rollup" in q["sql"] for q in kept.captured_queries)
    assert first.context["report"].district["fdi_actual"].actual == D(0)

    inflow = services.inflow_create(
        user=commerce,
        project=project,
        data={"arrived_on": dt.date(YEAR, 3, 1), "amount": D("123.45"), "voucher_no": "V1"},
    )
    services.inflow_verify(inflow=inflow, user=commerce)
    after = client.get(url)
    assert after.context["report"].district["fdi_actual"].actual == D("123.45")


def test_a_derived_value_lives_on_its_report(db):
    class Report:
        pass

    first, second = Report(), Report()
    built = []

    def build():
        built.append(1)
        return len(built)

    assert report_cache.derived(first, ("t", "zh-hans"), build) == 1
    assert report_cache.derived(first, ("t", "zh-hans"), build) == 1  # kept on the report
    assert report_cache.derived(first, ("t", "en"), build) == 2  # another key
    assert report_cache.derived(second, ("t", "zh-hans"), build) == 3  # another report
    for n in range(report_cache.DERIVED + 5):
        report_cache.derived(first, ("many", n), build)
    assert len(first._derived) == report_cache.DERIVED  # bounded: the oldest went


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client, url) -> str:
    """The page without its CSRF tokens (masked afresh on every page)."""
    return TOKEN.sub("csrf", client.get(url).content.decode())


@pytest.mark.parametrize(
    ("name", "marker"),
    [("targets:ranking", 'class="status-'), ("reporting:forecast", 'data-figure="warnings"')],
)
def test_the_kept_tables_follow_the_figures_and_the_language(
    monkeypatch, client, commerce, unit_a, fdi, name, marker
):
    """The ranking's table and the forecast's tables are rendered once per kept report
    ({% kept %}): the kept page is the page rendered afresh, the next page after money is
    verified shows it, and the English page is English."""
    monkeypatch.setattr(report_cache, "may_keep", lambda: True)
    year = year_get_or_create(YEAR)
    Quota.objects.create(year=year, unit=unit_a, indicator=fdi, amount=D("1000"))
    client.force_login(commerce)
    url = reverse(name) + f"?year={YEAR}&as_of={YEAR}-10-31"
    project = ForeignProjectFactory(
        unit=unit_a, signed_on=dt.date(YEAR, 1, 5), approved_on=dt.date(YEAR, 1, 6)
    )
    fresh = _page(client, url)
    kept = _page(client, url)
    report_cache.clear()
    assert kept == fresh == _page(client, url)
    inflow = services.inflow_create(
        user=commerce,
        project=project,
        data={"arrived_on": dt.date(YEAR, 3, 1), "amount": D("123.45"), "voucher_no": "V1"},
    )
    services.inflow_verify(inflow=inflow, user=commerce)
    after = _page(client, url)
    assert marker in fresh and marker in after
    shown = "12.35%" if name == "targets:ranking" else "123.45"  # 完成率 123.45 ÷ 1,000
    assert shown not in fresh
    assert shown in after
    client.cookies.load({"django_language": "en"})
    try:
        english = _page(client, url)
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the middleware leaves it on the thread
    assert shown in english
    # A column heading inside the kept block, in the language of each page.
    heading = "预计全年" if name == "reporting:forecast" else "综合得分"
    assert heading in after
    assert heading not in english
