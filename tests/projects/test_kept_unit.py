"""The unit kept on each inflow (Inflow.unit, migration 0010): whatever writes the rows, the
database keeps it equal to the project's unit, and a unit's staff see their rows through it
and through the project, never another unit's."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from common.bulk import insert
from projects import services
from projects.models import Inflow, Project
from tests.factories import InflowFactory, ProjectFactory
from tests.workbook.builder import build
from tests.workbook.conftest import full_year_sheets

pytestmark = pytest.mark.django_db


def kept() -> dict[str, tuple[int | None, int]]:
    """voucher → (kept unit, the project's unit), read from the database."""
    return {
        voucher: (unit, project_unit)
        for voucher, unit, project_unit in Inflow.objects.values_list(
            "voucher_no", "unit_id", "project__unit_id"
        )
    }


def assert_kept(step: str) -> None:
    rows = kept()
    assert rows, step
    wrong = {voucher: pair for voucher, pair in rows.items() if pair[0] != pair[1]}
    assert not wrong, f"{step}: {wrong}"
    assert all(unit is not None for unit, _ in rows.values()), step


def money(project, user, voucher: str, day=dt.date(2026, 2, 1)) -> Inflow:
    return services.inflow_create(
        user=user,
        project=project,
        data={"arrived_on": day, "amount": D("100"), "voucher_no": voucher},
    )


def test_the_form_and_every_service_keep_it(client_as, clerk, commerce, project_a, unit_b):
    response = client_as("clerk").post(
        reverse("projects:inflow_create", args=[project_a.pk]),
        {"arrived_on": "2026-02-01", "amount": "300", "voucher_no": "YH-001"},
    )
    assert response.status_code == 302
    assert_kept("the inflow form")
    a = money(project_a, clerk, "V1")
    b = money(project_a, clerk, "V2")
    assert a.unit_id is None  # the instance saved: the database alone holds the unit
    assert_kept("inflow_create")
    a.refresh_from_db()
    assert a.unit == project_a.unit
    services.inflow_update(
        inflow=b,
        user=clerk,
        data={"arrived_on": dt.date(2026, 3, 1), "amount": D("120"), "voucher_no": "V2"},
    )
    assert_kept("inflow_update")
    services.inflow_verify(inflow=a, user=commerce)
    services.inflow_return(inflow=b, user=commerce, reason="凭证不清")
    assert_kept("verify, return")
    services.inflow_correct(
        inflow=a,
        user=commerce,
        data={"amount": D("110"), "arrived_on": a.arrived_on},
        reason="更正",
    )
    services.inflow_void(inflow=a, user=commerce, reason="重复登记")
    assert_kept("correct, void")
    # The project moves to another unit through the form's service: its money follows.
    services.project_update(project=project_a, user=commerce, data={"unit": unit_b})
    assert set(kept().values()) == {(unit_b.pk, unit_b.pk)}


def test_the_history_does_not_record_it(clerk, project_a):
    inflow = money(project_a, clerk, "V1")
    assert "unit" not in {f.name for f in Inflow.history.model._meta.fields}
    assert inflow.history.count() == 1


def test_a_bulk_insert_keeps_it(project_a, unit_b):
    other = ProjectFactory(unit=unit_b)
    rows = [
        Inflow(project=project, arrived_on=dt.date(2026, 2, 1), amount=D("5"), voucher_no=voucher)
        for project, voucher in ((project_a, "B1"), (other, "B2"), (project_a, "B3"))
    ]
    insert(Inflow, rows)
    assert_kept("common.bulk.insert")
    Inflow.objects.bulk_create(
        [Inflow(project=other, arrived_on=dt.date(2026, 2, 2), amount=D("6"), voucher_no="B4")]
    )
    assert_kept("bulk_create")
    assert kept()["B2"] == (unit_b.pk, unit_b.pk)


def test_the_workbook_import_keeps_it_and_a_project_moved_by_it_takes_its_money(tmp_path):
    sheets = full_year_sheets()
    out = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("import_workbook", str(build(tmp_path / "全年.xlsx", sheets)), **out)
    assert len(kept()) == 5
    assert_kept("the first import")
    sheets["项目"][2][3] = "T01"  # 2025-NZ-002: T02 → T01
    sheets["到位资金"][2][2] = 900  # YH-003 (pending) changes its amount
    call_command("import_workbook", str(build(tmp_path / "更正.xlsx", sheets)), **out)
    assert Project.objects.get(code="2025-NZ-002").unit.code == "T01"
    assert Inflow.objects.get(voucher_no="YH-003").amount == D("900")
    assert_kept("the second import")
    assert {unit for unit, _ in kept().values()} == {
        Project.objects.get(code="2025-NZ-002").unit_id
    }


def test_a_project_moved_by_any_write_takes_its_inflows(project_a, unit_a, unit_b):
    InflowFactory(project=project_a, voucher_no="M1")
    InflowFactory(project=project_a, voucher_no="M2")
    untouched = InflowFactory(project=ProjectFactory(unit=unit_a), voucher_no="M3")
    Project.objects.filter(pk=project_a.pk).update(unit=unit_b)  # no save(), no signal
    assert_kept("a queryset update")
    assert kept()["M1"][0] == unit_b.pk and kept()["M3"][0] == unit_a.pk
    project_a.refresh_from_db()
    project_a.unit = unit_a
    project_a.save()
    assert_kept("save()")
    assert {kept()[v][0] for v in ("M1", "M2")} == {unit_a.pk}
    assert untouched.project.unit_id == unit_a.pk


def test_an_inflow_moved_to_another_project_or_written_wrong_is_put_right(project_a, unit_b):
    other = ProjectFactory(unit=unit_b)
    moved = InflowFactory(project=project_a, voucher_no="X1")
    saved = InflowFactory(project=project_a, voucher_no="X2")
    Inflow.objects.filter(pk=moved.pk).update(project=other)
    assert kept()["X1"] == (unit_b.pk, unit_b.pk)
    saved.refresh_from_db()
    saved.project = other
    saved.save()  # the instance still holds the old project's unit: the database corrects it
    assert kept()["X2"] == (unit_b.pk, unit_b.pk)
    Inflow.objects.filter(pk=moved.pk).update(unit=project_a.unit)  # a wrong copy, written raw
    assert_kept("a raw write of the unit")


def test_a_unit_s_rows_are_asked_by_the_kept_unit(client_as, clerk, commerce, project_a, unit_b):
    mine = InflowFactory(project=project_a, voucher_no="JZ-KEPT-1")
    InflowFactory(project=ProjectFactory(unit=unit_b), voucher_no="YZ-KEPT-2")
    scoped = Inflow.objects.for_user(clerk)
    assert list(scoped) == [mine]
    where = str(scoped.query).split("WHERE", 1)[1]
    assert '"projects_inflow"."unit_id"' in where and "projects_project" not in where
    assert Inflow.objects.for_user(commerce).count() == 2
    # The district-wide filter by unit narrows the same way.
    response = client_as("commerce").get(reverse("projects:inflow_list"), {"unit": unit_b.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "YZ-KEPT-2" in page and "JZ-KEPT-1" not in page
    filtered = response.context["filter"].qs
    assert '"projects_inflow"."unit_id"' in str(filtered.query).split("WHERE", 1)[1]


def test_the_triggers_exist(db):
    """A migration that remakes projects_inflow or projects_project on SQLite drops them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    expected = {
        "postgresql": {"projects_inflow_keep_unit", "projects_project_inflows_follow_unit"},
        "sqlite": {
            "projects_inflow_keep_unit_insert",
            "projects_inflow_keep_unit_update",
            "projects_project_inflows_follow_unit",
        },
    }[connection.vendor]
    assert expected <= names


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_clerk_s_list_can_walk_the_unit_s_index(clerk, project_a, unit_b):
    """The index serves the list's filter and order (no sort). Whether the planner prefers it
    shows only at scale (bench_pages "clerk inflows"): asked by both the project's unit and
    the kept one, it expected a hundredth of the rows and sorted them all (81 ms at 1.1M)."""
    for n in range(30):
        InflowFactory(project=project_a if n % 3 else ProjectFactory(unit=unit_b))
    queryset = Inflow.objects.for_user(clerk).order_by("-arrived_on", "-id")[:51]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = queryset.explain()
    assert "projects_inflow_unit_list" in plan, plan
    assert "Sort" not in plan, plan
