"""The demo data: the seed's first-half figures, counted by the rules, and a rollup that agrees."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from portal.demo import (
    PREFIX,
    SEED_FOREIGN_PROJECTS,
    DemoDataError,
    default_year,
    last_day_loaded,
    plan,
)
from projects.counting import raw_period_totals, rebuild
from projects.models import Inflow, Project, PromotionEvent, StageChange
from targets import indicators as codes
from targets.models import DistrictTask, Quota, Rollup
from targets.selectors import rollup_period_totals
from units.models import Unit

YEAR = 2025
H1 = (dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 30))
H1_LAST_YEAR = (dt.date(YEAR - 1, 1, 1), dt.date(YEAR - 1, 6, 30))
D = Decimal


def _district(start, end) -> dict:
    totals = dict.fromkeys(codes.INDICATOR_CODES, D(0))
    for (_unit, code), amount in raw_period_totals(start, end, "湖南省").items():
        if code in totals:  # the five counted indicators (not the reported ones, 报送)
            totals[code] += amount
    return totals


def _rollup_cells() -> dict:
    return {
        (r.unit_id, r.indicator_id, r.year, r.month, r.day): r.amount
        for r in Rollup.objects.all()
        if r.amount
    }


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Project, Inflow, PromotionEvent, Quota, DistrictTask, Rollup, StageChange)
    } | {
        "project history": Project.history.count(),
        "inflow history": Inflow.history.count(),
        "quota history": Quota.history.count(),
    }


def _task(year: int, code: str) -> Decimal:
    return DistrictTask.objects.get(year__year=year, indicator__code=code).amount


@pytest.fixture
def setup_done(db):
    call_command("load_roster")
    call_command("create_demo_accounts", password="pw-demo-1")


@pytest.mark.django_db
def test_demo_year_reproduces_the_seed_and_the_rollup_agrees(setup_done, capsys):
    call_command("load_demo_data", year=YEAR)
    out = capsys.readouterr().out
    assert "已载入 2024–2025 年演示数据" in out

    # --- the seed's 1–6月 figures, from the raw records by the counting rules
    this, last = _district(*H1), _district(*H1_LAST_YEAR)
    assert this[codes.FOREIGN_PROJECTS] == 5
    assert this[codes.FDI_CONTRACT] == D("1800.00")
    assert this[codes.FDI_ACTUAL] == D("2535.00")
    assert this[codes.DOMESTIC_PROJECTS] == 47
    assert this[codes.DOMESTIC_ACTUAL] == D("85000.00")
    assert last[codes.FDI_CONTRACT] == D("1000.00")
    assert last[codes.DOMESTIC_ACTUAL] == D("73784.72")
    assert this[codes.FDI_CONTRACT] / last[codes.FDI_CONTRACT] == D("1.8")
    assert _task(YEAR, codes.FDI_ACTUAL) == 4903
    assert _task(YEAR, codes.DOMESTIC_ACTUAL) == 140000
    assert round(this[codes.FDI_ACTUAL] / _task(YEAR, codes.FDI_ACTUAL) * 100, 2) == D("51.70")
    assert round(this[codes.DOMESTIC_ACTUAL] / _task(YEAR, codes.DOMESTIC_ACTUAL) * 100, 2) == D(
        "60.71"
    )
    growth = (this[codes.DOMESTIC_ACTUAL] / last[codes.DOMESTIC_ACTUAL] - 1) * 100
    assert round(growth, 2) == D("15.20")
    approved = Project.objects.filter(
        capital_type="foreign", approved_on__range=H1, stage__in=["signed", "started", "producing"]
    )
    assert set(approved.values_list("name", flat=True)) == set(SEED_FOREIGN_PROJECTS)

    # --- the rollup agrees with the records, cell by cell and for 1–6月
    cells = _rollup_cells()
    rebuild()
    assert _rollup_cells() == cells
    assert rollup_period_totals(H1[1]) == raw_period_totals(*H1, "湖南省")
    assert rollup_period_totals(dt.date(YEAR, 12, 31)) == raw_period_totals(
        dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), "湖南省"
    )

    # --- the year goes on after June, and last year is there in full
    full = _district(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    full_last = _district(dt.date(YEAR - 1, 1, 1), dt.date(YEAR - 1, 12, 31))
    for code in codes.INDICATOR_CODES:
        assert full[code] > this[code], code
        assert full_last[code] > last[code], code
    assert Inflow.objects.filter(arrived_on__month=12, arrived_on__year=YEAR - 1).exists()

    # --- district tasks and unit quotas for both years
    for year in (YEAR - 1, YEAR):
        for code in codes.INDICATOR_CODES:
            task = _task(year, code)
            total = Quota.objects.filter(year__year=year, indicator__code=code).aggregate(
                t=Sum("amount")
            )["t"]
            assert task <= total <= task * D("1.15"), (year, code, task, total)
    quota_units = set(Quota.objects.filter(year__year=YEAR).values_list("unit__code", flat=True))
    assert {"T01", "T02", "T03", "T04", "T05", "P01", "D18", "D21", "D22", "D36", "D38"} <= (
        quota_units
    )
    assert Unit.objects.exclude(code__in=quota_units).exists()  # some units carry nothing

    def quota(code, indicator):
        return Quota.objects.get(year__year=YEAR, unit__code=code, indicator__code=indicator)

    assert quota("T01", codes.DOMESTIC_ACTUAL).amount > quota("T12", codes.DOMESTIC_ACTUAL).amount
    assert quota("P01", codes.FDI_ACTUAL).amount > 0
    domestic_only = (
        Quota.objects.filter(year__year=YEAR, unit__kind="department")
        .values("unit")
        .distinct()
        .exclude(
            unit__in=Quota.objects.filter(
                year__year=YEAR, indicator__capital_type="foreign"
            ).values("unit")
        )
    )
    assert domestic_only.count() > 20

    # --- believable spread: townships and the park lead, some units have nothing
    per_unit = dict(
        Project.objects.filter(code__startswith=PREFIX)
        .values("unit__code")
        .annotate(n=Count("id"))
        .values_list("unit__code", "n")
    )
    key_and_park = sum(per_unit.get(c, 0) for c in ("T01", "T02", "T03", "T04", "T05", "P01"))
    assert key_and_park > sum(per_unit.values()) / 3
    assert len(per_unit) < Unit.objects.count()
    assert Project.objects.filter(is_park_project=True).exists()
    assert Project.objects.values("industry").distinct().count() >= 8
    for name in ("中博会", "珠洽会", "东莞招商会", "深圳招商会"):
        assert Project.objects.filter(event__name=name, event__held_on__year=YEAR).exists(), name
    for stage in ("started", "producing", "terminated", "intention", "negotiation"):
        assert Project.objects.filter(stage=stage).exists(), stage
    assert not Project.objects.filter(
        stage__in=["intention", "negotiation"], signed_on__isnull=False
    ).exists()

    # --- noise that must not count, inside 1–6月 too
    assert Inflow.objects.filter(status="pending", arrived_on__range=H1).exists()
    returned = Inflow.objects.filter(status="returned", arrived_on__range=H1)
    assert returned.exists() and all(i.return_reason for i in returned)
    hunan = Project.objects.filter(capital_type="domestic", origin="湖南省", signed_on__range=H1)
    assert hunan.exists()
    assert Inflow.objects.filter(
        project__in=hunan, status="verified", arrived_on__range=H1
    ).exists()

    # --- dates and amounts are sane
    today = timezone.localdate()
    assert not Project.objects.filter(Q(signed_on__gt=today) | Q(approved_on__gt=today)).exists()
    assert not Inflow.objects.filter(arrived_on__gt=today).exists()
    for inflow in Inflow.objects.select_related("project"):
        assert inflow.arrived_on >= inflow.project.signed_on
        assert inflow.amount == inflow.amount.quantize(D("0.01"))
    assert not Project.objects.filter(signed_on__year__gt=YEAR).exists()

    # --- the demo accounts did the work
    assert Project.objects.filter(unit__code="T01", created_by__username="clerk").exists()
    assert Inflow.objects.filter(project__unit__code="T02", created_by__username="clerk2").exists()
    assert (
        not Inflow.objects.filter(status="verified")
        .exclude(verified_by__username="commerce")
        .exists()
    )
    assert Project.objects.filter(unit__code="T04", created_by__username="commerce").exists()

    # --- idempotent: a second run adds nothing and says so
    before = _counts()
    call_command("load_demo_data", year=YEAR)
    assert "演示数据已存在" in capsys.readouterr().out
    assert _counts() == before


def _plan_h1(planner) -> dict:
    """The 1–6月 district figures of a plan, by the counting rules (no database)."""
    counted = {"signed", "started", "producing", "terminated"}
    out = dict.fromkeys(codes.INDICATOR_CODES, D(0))
    for p in planner.projects:
        if p.stage not in counted:
            continue
        if p.capital_type == "foreign" and p.approved_on and H1[0] <= p.approved_on <= H1[1]:
            out[codes.FOREIGN_PROJECTS] += 1
            out[codes.FDI_CONTRACT] += p.contract_amount
        elif (
            p.capital_type == "domestic" and p.origin != "湖南省" and H1[0] <= p.signed_on <= H1[1]
        ):
            out[codes.DOMESTIC_PROJECTS] += 1
    for i in planner.inflows:
        if i.status == "verified" and H1[0] <= i.arrived_on <= H1[1]:
            if i.project.capital_type == "foreign":
                out[codes.FDI_ACTUAL] += i.amount
            elif i.project.origin != "湖南省":
                out[codes.DOMESTIC_ACTUAL] += i.amount
    return out


def test_in_the_current_year_the_plan_stops_at_the_last_complete_month():
    others = [f"D{n:02d}" for n in range(1, 72)]
    whole = plan(YEAR, dt.date(YEAR, 12, 31), others)
    cut = plan(YEAR, last_day_loaded(YEAR, dt.date(YEAR, 8, 20)), others)
    last = dt.date(YEAR, 7, 31)
    assert all((p.signed_on or last) <= last for p in cut.projects)
    assert all((p.approved_on or last) <= last for p in cut.projects)
    assert all(i.arrived_on <= last for i in cut.inflows)
    assert all(held_on <= last for _name, held_on, _place in cut.events.values())
    assert any(i.arrived_on.month == 7 and i.arrived_on.year == YEAR for i in cut.inflows)
    assert len(cut.projects) < len(whole.projects)
    seed = {
        codes.FOREIGN_PROJECTS: D(5),
        codes.FDI_CONTRACT: D(1800),
        codes.FDI_ACTUAL: D(2535),
        codes.DOMESTIC_PROJECTS: D(47),
        codes.DOMESTIC_ACTUAL: D(85000),
    }
    assert _plan_h1(cut) == _plan_h1(whole) == seed
    again = plan(YEAR, dt.date(YEAR, 12, 31), others)  # deterministic
    assert [(i.project.code, i.arrived_on, i.amount) for i in again.inflows] == [
        (i.project.code, i.arrived_on, i.amount) for i in whole.inflows
    ]


@pytest.mark.django_db
def test_it_needs_the_roster_and_the_accounts():
    with pytest.raises(CommandError, match="load_roster"):
        call_command("load_demo_data", year=YEAR)
    call_command("load_roster")
    with pytest.raises(CommandError, match="create_demo_accounts"):
        call_command("load_demo_data", year=YEAR)
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_a_year_whose_first_half_is_not_over_is_refused(setup_done):
    next_year = timezone.localdate().year + 1
    with pytest.raises(CommandError, match="上半年尚未结束"):
        call_command("load_demo_data", year=next_year)
    assert not Project.objects.exists()


def test_default_year_and_last_day():
    assert default_year(dt.date(2026, 6, 30)) == 2025
    assert default_year(dt.date(2026, 7, 1)) == 2026
    assert last_day_loaded(2025, dt.date(2026, 3, 5)) == dt.date(2025, 12, 31)
    assert last_day_loaded(2026, dt.date(2026, 7, 1)) == dt.date(2026, 6, 30)
    assert last_day_loaded(2026, dt.date(2026, 11, 26)) == dt.date(2026, 10, 31)
    with pytest.raises(DemoDataError):
        last_day_loaded(2026, dt.date(2026, 6, 30))


def test_progress_report_prints_the_seeds_first_half(setup_done):
    """The seed's 1–6月 figures, read back through the command the city report comes from."""
    import csv
    import io

    call_command("load_demo_data", year=YEAR, stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "progress_report", year=YEAR, as_of=f"{YEAR}-06-30", stdout=out, stderr=io.StringIO()
    )
    rows = {r[2]: r for r in csv.reader(io.StringIO(out.getvalue())) if r[0] == "全区"}
    # columns: 单位编码,单位名称,指标,任务数,完成数,完成率,序时进度,超欠百分点,去年同期,同比增长,
    # 状态
    assert rows["foreign_projects"][4] == "5"
    assert rows["fdi_contract"][4] == "1800.00"
    assert rows["fdi_contract"][8] == "1000.00" and rows["fdi_contract"][9] == "80.00"  # 1.8×
    assert rows["fdi_actual"][3:8] == ["4903.00", "2535.00", "51.70", "50.00", "1.70"]
    assert rows["domestic_projects"][4] == "47"
    assert rows["domestic_actual"][3:6] == ["140000.00", "85000.00", "60.71"]
    assert rows["domestic_actual"][8:] == ["73784.72", "15.20", "达到序时进度"]  # + 状态
