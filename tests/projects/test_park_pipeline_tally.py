"""The park page's split and the pipeline's stage counts come from targets.Tally, kept by the
services in the same transaction; they must equal a live recount over the records."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from projects import services
from projects.counting import rebuild
from projects.models import Inflow, Project
from projects.selectors import park_share, pipeline
from targets.models import Tally
from tests.factories import UnitFactory, UserFactory

YEAR = timezone.localdate().year - 1
AS_OF = dt.date(YEAR, 6, 30)
D = Decimal


def _live_park(as_of: dt.date) -> list[tuple]:
    """The park page's figures straight from the records (the old live query)."""
    start = dt.date(as_of.year, 1, 1)
    out = []
    signed = Project.objects.filter(signed_on__range=(start, as_of))
    for capital in ("foreign", "domestic"):
        totals = signed.filter(capital_type=capital).aggregate(
            n=Count("id"),
            park_n=Count("id", filter=Q(is_park_project=True)),
            contract=Sum("contract_amount"),
            park_contract=Sum("contract_amount", filter=Q(is_park_project=True)),
        )
        money = (
            Inflow.objects.filter(status="verified")
            .filter(arrived_on__range=(start, as_of), project__capital_type=capital)
            .aggregate(
                total=Sum("amount"), park=Sum("amount", filter=Q(project__is_park_project=True))
            )
        )
        out += [
            (D(totals["park_n"]), D(totals["n"])),
            (D(totals["park_contract"] or 0), D(totals["contract"] or 0)),
            (D(money["park"] or 0), D(money["total"] or 0)),
        ]
    return out


def _live_stages(as_of: dt.date) -> dict[str, int]:
    start = dt.date(as_of.year, 1, 1)
    in_year = Project.objects.filter(
        Q(signed_on__range=(start, as_of))
        | Q(signed_on__isnull=True, created_at__date__range=(start, as_of))
    )
    counts = dict(in_year.values_list("stage").annotate(n=Count("id")))
    shown = {s: n for s, n in counts.items() if s != "withdrawn"}  # not a column of the page
    return {**shown, "total": sum(counts.values())}


def _page_park(as_of):
    return [(row["park"], row["total"]) for row in park_share(as_of.year, as_of)]


def _page_stages(as_of):
    figures = pipeline(as_of.year, as_of)
    shown = {row["stage"].value: row["count"] for row in figures["stages"] if row["count"]}
    return {**shown, "total": figures["total"]}


@pytest.fixture
def records(db):
    user = UserFactory(username="tally-commerce")
    unit = UnitFactory()
    made = []
    for n, (capital, park, stage, signed) in enumerate(
        [
            ("foreign", True, "signed", dt.date(YEAR, 2, 3)),
            ("foreign", False, "started", dt.date(YEAR, 6, 30)),
            ("domestic", True, "producing", dt.date(YEAR, 3, 1)),
            ("domestic", False, "signed", dt.date(YEAR, 7, 1)),  # after the period
            ("domestic", False, "intention", None),  # no signing date: by the day entered
            ("domestic", True, "negotiation", None),
        ]
    ):
        foreign = capital == "foreign"
        project = services.project_create(
            user=user,
            data={
                "code": f"TALLY-{n}",
                "name": f"分类汇总项目{n}",
                "capital_type": capital,
                "unit": unit,
                "origin": "香港" if foreign else "广东省",
                "stage": stage,
                "signed_on": signed,
                "approved_on": signed if foreign and signed else None,
                "contract_amount": D("100") * (n + 1) if signed else None,
                "is_park_project": park,
            },
            confirm_large=True,
        )
        made.append(project)
        if signed and signed <= AS_OF:
            for i, (day, amount) in enumerate(((signed, "12.50"), (AS_OF, "7.25"))):
                inflow = services.inflow_create(
                    user=user,
                    project=project,
                    data={"arrived_on": day, "amount": D(amount), "voucher_no": f"T{n}-{i}"},
                    confirm_large=True,
                )
                services.inflow_verify(inflow=inflow, user=user)
    return user, made


def test_the_pages_read_what_a_live_recount_says(records):
    assert _page_park(AS_OF) == _live_park(AS_OF)
    assert _page_stages(AS_OF) == _live_stages(AS_OF)
    # Projects without a signing date count in the year they were entered: this one.
    today = timezone.localdate()
    assert _page_stages(today) == _live_stages(today)
    assert _page_stages(today)["intention"] == 1


def test_changes_through_the_services_keep_the_tally_right(records):
    user, made = records
    foreign_park, foreign_other, domestic_park, *_rest = made
    # The park flag moves a project's count, contract and money to the other side.
    services.project_update(
        project=foreign_park,
        user=user,
        data={"is_park_project": False, "stage": "started"},
        confirm_large=True,
        reason="园区认定取消",
    )
    inflow = foreign_other.inflows.order_by("pk").first()
    services.inflow_void(inflow=inflow, user=user, reason="重复登记")
    services.duplicate_withdraw(project=domestic_park, user=user, reason="与其他单位重复")
    assert _page_park(AS_OF) == _live_park(AS_OF)
    assert _page_stages(AS_OF) == _live_stages(AS_OF)
    # A day inside the month reads the day rows.
    mid = dt.date(YEAR, 3, 15)
    assert _page_park(mid) == _live_park(mid)
    assert _page_stages(mid) == _live_stages(mid)


def test_the_rebuild_and_the_migration_write_the_same_tally(records):
    kept = {(t.key, t.year, t.month, t.day): t.amount for t in Tally.objects.all()}
    assert kept
    rebuild()
    assert {(t.key, t.year, t.month, t.day): t.amount for t in Tally.objects.all()} == kept
    Tally.objects.all().delete()
    migration = importlib.import_module("projects.migrations.0005_tally_backfill")

    class Editor:  # what RunPython hands over
        pass

    editor = Editor()
    editor.connection = connection
    migration.backfill(apps, editor)
    assert {(t.key, t.year, t.month, t.day): t.amount for t in Tally.objects.all()} == kept
