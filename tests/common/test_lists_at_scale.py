"""Lists whose cost does not grow with the data (issue 15): a total order with a tie-breaker,
a bounded count shown honestly, capped exports, trigram search on PostgreSQL, and query
counts that stay the same as rows are added."""

from __future__ import annotations

import datetime as dt
import importlib
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from common.listing import with_tie_breaker
from common.paginator import Total, _significant, bounded_total
from projects.models import Inflow, Project, PromotionEvent
from tests.factories import (
    InflowFactory,
    ProjectFactory,
    PromotionEventFactory,
    UnitFactory,
)

YEAR = 2026
PERIOD = {"year": YEAR, "as_of": "2026-06-30"}


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


# --- the total above a list -----------------------------------------------------------------


def test_the_total_is_exact_up_to_the_cap_and_says_more_past_it(db, unit_a):
    ProjectFactory.create_batch(4, unit=unit_a)
    filtered = Project.objects.filter(unit=unit_a)
    assert bounded_total(filtered, cap=4) == Total(4, "exact")
    assert bounded_total(filtered, cap=3) == Total(3, "more")
    assert Total(4, "exact").label == "共 4 条"
    assert Total(1000, "more").label == "超过 1,000 条"
    assert Total(1_100_000, "estimate").label == "约 1,100,000 条"


def test_an_estimate_is_only_for_an_unfiltered_list_on_postgresql(db, unit_a):
    ProjectFactory.create_batch(5, unit=unit_a)
    total = bounded_total(Project.objects.all(), cap=3)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE projects_project")
        total = bounded_total(Project.objects.all(), cap=3)
        # The planner's figure, never shown below what was counted.
        assert total == Total(5, "estimate")
    else:
        assert total == Total(3, "more")
    assert bounded_total(Project.objects.filter(unit=unit_a), cap=3).kind == "more"


def test_an_estimate_is_rounded_to_what_it_knows():
    assert _significant(1_096_512) == 1_100_000
    assert _significant(10_049) == 10_000
    assert _significant(0) == 0


def test_the_count_is_one_query_whatever_the_rows(db, unit_a):
    ProjectFactory.create_batch(3, unit=unit_a)
    for queryset in (Project.objects.all(), Project.objects.filter(unit=unit_a)):
        with CaptureQueriesContext(connection) as ctx:
            bounded_total(queryset, cap=2)
        assert len(ctx.captured_queries) == 1
        assert "COUNT" in ctx.captured_queries[0]["sql"].upper()
        assert "LIMIT" in ctx.captured_queries[0]["sql"].upper()


def test_the_list_page_shows_the_honest_label(client_as, unit_a, settings):
    settings.LIST_COUNT_CAP = 5
    settings.LIST_PAGE_SIZE = 4
    ProjectFactory.create_batch(7, unit=unit_a)
    page = client_as("clerk").get(reverse("projects:list")).content.decode()
    assert "超过 5 条" in page
    assert "共 7 条" not in page
    settings.LIST_COUNT_CAP = 10
    page = client_as("clerk").get(reverse("projects:list")).content.decode()
    assert "共 7 条" in page
    # Page by page: the second page exists, the third does not claim a total.
    second = client_as("clerk").get(reverse("projects:list"), {"page": 2}).content.decode()
    assert second.count('href="/projects/') >= 3


# --- a total order ---------------------------------------------------------------------------


def test_rows_with_the_same_date_appear_once_each_across_pages(client_as, unit_a, settings):
    settings.LIST_PAGE_SIZE = 5
    project = ProjectFactory(unit=unit_a)
    inflows = InflowFactory.create_batch(13, project=project, arrived_on=dt.date(2026, 2, 1))
    client = client_as("commerce")
    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("projects:inflow_list"), {"page": page})
        seen += [row.record.pk for row in response.context["table"].page.object_list]
    assert sorted(seen) == sorted(i.pk for i in inflows)
    assert seen == sorted(seen, reverse=True)  # -arrived_on, then -id


def test_sorting_by_a_column_with_ties_keeps_a_total_order(client_as, unit_a, settings):
    settings.LIST_PAGE_SIZE = 4
    for n in range(9):
        ProjectFactory(unit=unit_a, code=f"T-{n}", signed_on=dt.date(2026, 1, 10))
    client = client_as("commerce")
    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("projects:list"), {"sort": "signed_on", "page": page})
        seen += [row.record.pk for row in response.context["table"].page.object_list]
    assert seen == sorted(seen)  # ascending date, ties by ascending id
    assert len(seen) == len(set(seen)) == 9


def test_the_tie_breaker_follows_the_first_term_and_is_not_added_twice(db):
    query = with_tie_breaker(Inflow.objects.order_by("-arrived_on")).query
    assert list(query.order_by) == ["-arrived_on", "-pk"]
    assert list(with_tie_breaker(Inflow.objects.order_by("created_at")).query.order_by) == [
        "created_at",
        "pk",
    ]
    assert list(with_tie_breaker(Project.objects.order_by("-id")).query.order_by) == ["-id"]
    # No explicit order: the model's Meta.ordering, which already ends with -id, stays.
    default = with_tie_breaker(Project.objects.all())
    assert not default.query.order_by and default.ordered
    assert list(with_tie_breaker(Project.objects.order_by("name")).query.order_by) == [
        "name",
        "pk",
    ]


# --- exports stop at a cap --------------------------------------------------------------------


def test_a_list_export_stops_at_the_cap_and_says_so(client_as, unit_a, settings):
    settings.LIST_EXPORT_MAX_ROWS = 3
    ProjectFactory.create_batch(5, unit=unit_a)
    response = client_as("commerce").get(reverse("projects:list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3 + 1  # header, three rows, the note
    assert "仅导出前 3 条" in rows[-1][0]
    settings.LIST_EXPORT_MAX_ROWS = 5
    response = client_as("commerce").get(reverse("projects:list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 5 and "仅导出" not in str(rows[-1][0])


# --- trigram search ---------------------------------------------------------------------------


def test_the_search_column_and_its_trigram_index_are_there_on_postgresql(db):
    """Migration 0011 replaced 0004's three trigram indexes by one on the stored search_text;
    on SQLite both steps do nothing."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'projects_project' "
                "AND indexname LIKE '%%_trgm'"
            )
            assert {row[0] for row in cursor.fetchall()} == {"projects_project_search_trgm"}
            cursor.execute(
                "SELECT is_generated FROM information_schema.columns "
                "WHERE table_name = 'projects_project' AND column_name = 'search_text'"
            )
            assert cursor.fetchone() == ("ALWAYS",)
        else:
            cursor.execute("SELECT name FROM pragma_table_info('projects_project')")
            assert "search_text" not in {row[0] for row in cursor.fetchall()}


def test_the_search_migration_goes_back_and_forth(db):
    migration = importlib.import_module("projects.migrations.0011_project_search_column")
    executed = []

    class Editor:  # what RunPython hands over: the connection and execute()
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            executed.append(sql)
            with connection.cursor() as cursor:
                cursor.execute(sql)

    backward, forward = migration._run(migration.BACKWARD), migration._run(migration.FORWARD)
    backward(None, Editor())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'projects_project' "
                "AND indexname LIKE '%%_trgm'"
            )
            names = {row[0] for row in cursor.fetchall()}
        assert names == {f"projects_project_{c}_trgm" for c in migration.OLD_COLUMNS}
    forward(None, Editor())
    if connection.vendor == "postgresql":
        assert Project.objects.search("x").count() == 0
    else:
        assert executed == []


def test_project_search_finds_a_substring_on_either_database(client_as, unit_a):
    ProjectFactory(unit=unit_a, name="甲镇电子仪表厂", investor="深圳某某科技有限公司")
    ProjectFactory(unit=unit_a, name="乙村物流园", code="B-2026-009")
    client = client_as("clerk")
    for term, expected in (
        ("仪表", "甲镇电子仪表厂"),
        ("某某科技", "甲镇电子仪表厂"),
        ("b-2026", "乙村物流园"),
    ):
        response = client.get(reverse("projects:list"), {"q": term})
        names = [row.record.name for row in response.context["table"].page.object_list]
        assert names == [expected], term


def test_the_search_matches_within_one_column_and_follows_every_write(db, unit_a):
    """The stored column is the columns joined: a term across two of them finds nothing, a
    wildcard is a plain character, and a change (here a raw UPDATE) is searched at once."""
    first = ProjectFactory(unit=unit_a, name="甲镇仪表厂", investor="深圳科技", code="A-1")
    ProjectFactory(unit=unit_a, name="百分之百_项目", investor="", code="A-2")

    def found(term):
        return sorted(Project.objects.search(term).values_list("code", flat=True))

    assert found("仪表厂深圳") == [] and found("A-1甲镇") == []
    assert found("%") == [] and found("_") == ["A-2"] and found("a-") == ["A-1", "A-2"]
    assert found("\x1f") == found("") == found("  ") == ["A-1", "A-2"]
    Project.objects.filter(pk=first.pk).update(investor="广州某某有限公司")
    assert found("深圳") == [] and found("某某") == ["A-1"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_search_can_use_the_trigram_index(db, unit_a):
    ProjectFactory.create_batch(30, unit=unit_a)
    queryset = Project.objects.search("仪表厂").order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "projects_project_search_trgm" in plan


# --- query counts that do not grow ------------------------------------------------------------


def _grow(unit) -> None:
    event = PromotionEventFactory(held_on=dt.date(YEAR, 3, 1))
    for n in range(12):
        project = ProjectFactory(
            unit=unit if n % 2 else UnitFactory(),
            event=event,
            is_park_project=n % 3 == 0,
            signed_on=dt.date(YEAR, 1 + n % 5, 10),
            stage=("signed", "started", "producing")[n % 3],
        )
        InflowFactory.create_batch(2, project=project, arrived_on=dt.date(YEAR, 5, 1))
    PromotionEventFactory.create_batch(3, held_on=dt.date(YEAR, 4, 1))


@pytest.mark.parametrize(
    ("role", "url_name", "params"),
    [
        ("commerce", "projects:event_list", {}),
        ("commerce", "projects:list", {"q": "测试项目"}),
        ("commerce", "projects:list", {"year": YEAR, "page": 2}),
        ("commerce", "projects:inflow_list", {"status": "pending"}),
        ("clerk", "projects:inflow_list", {"year": YEAR}),
        ("commerce", "reporting:park", PERIOD),
        ("commerce", "reporting:events", PERIOD),
        ("commerce", "reporting:pipeline", PERIOD),
    ],
)
def test_list_and_summary_pages_keep_their_query_count(
    client_as, unit_a, role, url_name, params, settings
):
    settings.LIST_PAGE_SIZE = 3
    client = client_as(role)
    ProjectFactory.create_batch(7, unit=unit_a, signed_on=dt.date(YEAR, 1, 5))
    PromotionEventFactory(held_on=dt.date(YEAR, 2, 1))
    InflowFactory.create_batch(7, project=Project.objects.first(), arrived_on=dt.date(YEAR, 2, 1))
    few = _queries(client, reverse(url_name), params)
    _grow(unit_a)
    assert _queries(client, reverse(url_name), params) == few


def test_the_unit_dashboard_keeps_its_query_count(client_as, unit_a):
    client = client_as("commerce")
    url = reverse("targets:unit_dashboard", args=[unit_a.pk])
    few = _queries(client, url, PERIOD)
    _grow(unit_a)
    assert _queries(client, url, PERIOD) == few


def test_the_event_list_counts_each_events_projects(client_as, unit_a):
    event = PromotionEventFactory(name="深圳招商会", held_on=dt.date(YEAR, 3, 1))
    ProjectFactory.create_batch(3, unit=unit_a, event=event)
    PromotionEventFactory(name="空场", held_on=dt.date(YEAR, 3, 2))
    response = client_as("commerce").get(reverse("projects:event_list"))
    counts = {
        row.record.name: row.record.project_count
        for row in response.context["table"].page.object_list
    }
    assert counts == {"深圳招商会": 3, "空场": 0}
    assert PromotionEvent.objects.count() == 2
