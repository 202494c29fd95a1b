"""What an import leaves behind: the audit trail, the rollup, the dashboard."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from deposits import services as deposit_services
from deposits.models import Deposit, LedgerEntry
from projects import counting, services
from projects.models import Inflow, Project, StageChange
from targets.models import DistrictTask, Quota, Rollup
from targets.reports import build_report
from targets.services import year_get_or_create
from tests.workbook.conftest import YEAR, errors_of, full_year_sheets, run, snapshot
from units.models import Unit
from workbook.models import ImportBatch

pytestmark = pytest.mark.django_db

AS_OF = dt.date(YEAR, 6, 30)


def web_import(client, path):
    """Upload and confirm through the browser's path; returns the batch."""
    with open(path, "rb") as handle:
        client.post(
            reverse("workbook:upload"), {"file": SimpleUploadedFile(path.name, handle.read())}
        )
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == "previewed", batch.summary["errors"]
    client.post(reverse("workbook:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "imported", batch.summary["errors"]
    return batch


def rollup_cells() -> dict[tuple, D]:
    """The rollup as {(unit, indicator, year, month, day): amount}, zero cells left out
    (an increment may leave a zero where a rebuild writes no row)."""
    return {
        (r.unit_id, r.indicator_id, r.year, r.month, r.day): r.amount
        for r in Rollup.objects.all()
        if r.amount != 0
    }


def rebuilt_cells() -> dict[tuple, D]:
    counting.rebuild()
    return rollup_cells()


# --- the audit trail -------------------------------------------------------------------

HISTORY_OF = {
    "Unit": lambda: Unit.objects.get(code="T01"),
    "Quota": lambda: Quota.objects.get(unit__code="T01", indicator__code="fdi_actual"),
    "DistrictTask": lambda: DistrictTask.objects.get(year__year=YEAR),
    "Project": lambda: Project.objects.get(code="2025-WZ-001"),
    "Inflow": lambda: Inflow.objects.get(voucher_no="YH-001"),
    "Deposit": lambda: Deposit.objects.get(unit__code="T01"),
}


@pytest.mark.parametrize("model", list(HISTORY_OF))
def test_a_web_import_is_in_the_history_with_the_user_and_the_file(
    client_as, commerce, full_year, model
):
    web_import(client_as("commerce"), full_year)
    record = HISTORY_OF[model]().history.latest()
    assert record.history_change_reason == "由 commerce 从 全年.xlsx 导入"
    assert record.history_user == commerce


@pytest.mark.parametrize("model", list(HISTORY_OF))
def test_a_command_line_import_is_in_the_history_as_such(full_year, model):
    call_command("import_workbook", str(full_year), stdout=io.StringIO(), stderr=io.StringIO())
    record = HISTORY_OF[model]().history.latest()
    assert record.history_change_reason == "由 命令行 从 全年.xlsx 导入"
    assert record.history_user is None


def test_an_update_by_import_is_in_the_history_too(client_as, commerce, full_year, xlsx):
    client = client_as("commerce")
    web_import(client, full_year)
    sheets = full_year_sheets()
    sheets["项目"][0][7] = "开工"  # 签约 → 开工
    sheets["到位资金"][0][2] = 310
    web_import(client, xlsx("更正.xlsx", {"项目": sheets["项目"], "到位资金": sheets["到位资金"]}))
    project = Project.objects.get(code="2025-WZ-001")
    assert project.history.count() == 2
    latest = project.history.latest()
    assert latest.history_change_reason == "由 commerce 从 更正.xlsx 导入"
    assert latest.history_user == commerce and latest.stage == "started"
    step = StageChange.objects.filter(project=project).latest("id")
    assert (step.from_stage, step.to_stage) == ("signed", "started")
    assert step.note == "由 commerce 从 更正.xlsx 导入" and step.changed_by == commerce
    inflow = Inflow.objects.get(voucher_no="YH-001")
    assert inflow.history.latest().history_change_reason == "由 commerce 从 更正.xlsx 导入"
    assert inflow.history.latest().amount == D("310")


def test_a_new_project_starts_its_stage_log(full_year, commerce):
    assert run(full_year, user=commerce).ok
    step = StageChange.objects.get(project__code="2025-NZ-001")
    assert (step.from_stage, step.to_stage, step.changed_by) == ("", "started", commerce)
    assert step.note == "由 commerce 从 全年.xlsx 导入"


def test_verified_inflows_name_who_verified_them(full_year, commerce):
    assert run(full_year, user=commerce).ok
    inflow = Inflow.objects.get(voucher_no="YH-001")
    assert inflow.verified_by == commerce and inflow.verified_at is not None
    assert inflow.created_by == commerce


# --- the rollup ------------------------------------------------------------------------


@pytest.fixture
def district(unit_a, unit_b, commerce):
    """Recorded by hand before the import: a foreign and two domestic projects of A01's,
    with verified money."""

    def project(code, capital, origin, **extra):
        data = {
            "code": code,
            "name": f"项目{code}",
            "capital_type": capital,
            "unit": unit_a,
            "origin": origin,
            "stage": "signed",
            "signed_on": dt.date(YEAR, 1, 10),
            **extra,
        }
        return services.project_create(user=commerce, data=data)

    def money(project, day, amount, voucher):
        inflow = services.inflow_create(
            user=commerce,
            project=project,
            data={"arrived_on": day, "amount": D(amount), "voucher_no": voucher},
        )
        return services.inflow_verify(inflow=inflow, user=commerce)

    foreign = project(
        "P-F", "foreign", "香港", approved_on=dt.date(YEAR, 1, 20), contract_amount=D("600")
    )
    money(foreign, dt.date(YEAR, 2, 1), "100", "V1")
    money(foreign, dt.date(YEAR, 3, 1), "200", "V2")
    domestic = project("P-D", "domestic", "广东省")
    money(domestic, dt.date(YEAR, 2, 10), "1000", "V3")
    intent = project("P-I", "domestic", "北京市")
    money(intent, dt.date(YEAR, 2, 12), "700", "V4")
    return foreign


def test_the_rollup_is_what_a_rebuild_makes_after_an_import(district, commerce, xlsx):
    assert rollup_cells() == rebuilt_cells()  # the starting point is right
    sheets = {
        "项目": [
            # P-F moves to B01 (its verified money moves with it)
            ["P-F", "项目P-F", "外资", "B01", "", "香港", "", "签约",
             "2025-01-10", "2025-01-20", 600, None, None, "否", "", ""],
            # P-D turns out to come from the home province: it stops counting
            ["P-D", "项目P-D", "内资", "A01", "", "湖南省", "", "签约",
             "2025-01-10", None, None, None, None, "否", "", ""],
            # P-I is terminated: it keeps what it counted (going back to 意向 is refused
            # while verified money exists, DOMAIN.md)
            ["P-I", "项目P-I", "内资", "A01", "", "北京市", "", "终止",
             "2025-01-10", None, None, None, None, "否", "", ""],
            # a new foreign project, approved in April
            ["P-N", "项目P-N", "外资", "A01", "", "美国", "", "开工",
             "2025-03-20", "2025-04-01", 300, None, None, "否", "", ""],
        ],
        "到位资金": [
            ["P-F", "2025-03-01", 250, "V2", "已核实"],  # a verified amount corrected
            ["P-F", "2025-06-01", 40, "V5", "已核实"],  # new verified money
            ["P-N", "2025-05-05", 80, "V6", "已核实"],  # on the project created above
            ["P-D", "2025-05-06", 90, "V7", "待核实"],  # pending: does not count
        ],
    }  # fmt: skip
    result = run(xlsx("调整.xlsx", sheets), user=commerce)
    assert result.ok, errors_of(result)
    assert (result.counts["项目"].created, result.counts["项目"].updated) == (1, 3)
    assert (result.counts["到位资金"].created, result.counts["到位资金"].updated) == (3, 1)
    after_import = rollup_cells()
    assert after_import == rebuilt_cells()
    # and the figures are the ones the rules give
    report = build_report(year_get_or_create(YEAR), AS_OF)
    rows = {row.unit.code: row.cells for row in report.units}
    assert rows["B01"]["fdi_actual"].actual == D("390")  # 100 + 250 + 40
    assert rows["B01"]["fdi_contract"].actual == D("600")
    assert rows["A01"]["fdi_actual"].actual == D("80")
    assert rows["A01"]["fdi_contract"].actual == D("300")
    assert rows["A01"]["foreign_projects"].actual == D("1")
    assert rows["A01"]["domestic_actual"].actual == D("700")  # P-I's money, not P-D's
    assert rows["A01"]["domestic_projects"].actual == D("1")  # P-I, terminated, still counts


def test_a_second_import_leaves_the_rollup_alone(full_year, commerce):
    assert run(full_year, user=commerce).ok
    before = snapshot()
    result = run(full_year, user=commerce)
    assert result.ok
    assert snapshot() == before
    assert rollup_cells() == rebuilt_cells()


def test_a_refused_import_leaves_the_rollup_alone(district, commerce, xlsx):
    before = rollup_cells()
    sheets = {
        "到位资金": [
            ["P-F", "2025-03-01", 250, "V2", "已核实"],
            ["P-F", "2025-06-01", "四十", "V5", "已核实"],
        ]
    }
    assert not run(xlsx("坏.xlsx", sheets), user=commerce).ok
    assert rollup_cells() == before == rebuilt_cells()


# --- the dashboard ---------------------------------------------------------------------


def test_the_dashboard_shows_the_imported_full_year(client_as, full_year):
    web_import(client_as("commerce"), full_year)
    html = (
        client_as("leadership")
        .get(reverse("targets:dashboard"), {"year": YEAR, "as_of": AS_OF.isoformat()})
        .content.decode()
    )
    assert "2025 年 1–6月 招商引资进度" in html
    assert "512.00" in html  # 实际到位外资: 300 + 212 (the pending 1000 does not count)
    assert "5,000.00" in html  # the district's own task for it
    assert "10.24%" in html  # 512 / 5000


def test_the_report_shows_the_imported_figures(full_year, commerce):
    assert run(full_year, user=commerce).ok
    report = build_report(year_get_or_create(YEAR), AS_OF)
    rows = {row.unit.code: row.cells for row in report.units}
    t01, t02 = rows["T01"], rows["T02"]
    assert (t01["fdi_actual"].quota, t01["fdi_actual"].actual) == (D("1000"), D("512"))
    assert t01["fdi_contract"].actual == D("800")
    assert t01["foreign_projects"].actual == D("1")
    assert (t01["domestic_actual"].quota, t01["domestic_actual"].actual) == (D("20000"), D("5000"))
    assert t01["domestic_projects"].actual == D("1")
    assert t02["domestic_projects"].quota == D("4")
    district = report.district
    assert (district["fdi_actual"].quota, district["fdi_actual"].actual) == (D("5000"), D("512"))
    assert district["domestic_actual"].actual == D("5000")


def test_a_domestic_project_from_hunan_does_not_count(full_year, commerce):
    assert run(full_year, user=commerce).ok
    hunan = Project.objects.get(code="2025-NZ-002")
    assert hunan.origin == "湖南省" and hunan.inflows.get().status == "verified"
    report = build_report(year_get_or_create(YEAR), AS_OF)
    t02 = {row.unit.code: row.cells for row in report.units}["T02"]
    assert t02["domestic_projects"].actual == D("0")
    assert t02["domestic_actual"].actual == D("0")  # its 7000 verified is not counted
    assert report.district["domestic_projects"].actual == D("1")  # only 广东's
    assert report.district["domestic_actual"].actual == D("5000")


def test_a_clerks_imported_money_waits_for_verification(client_as, clerk, xlsx):
    before = rollup_cells()
    sheets = {
        "项目": [
            ["A-1", "甲镇外资", "外资", "A01", "", "香港", "", "签约",
             "2025-01-10", "2025-01-20", 100, None, None, "否", "", ""],
        ],
        "到位资金": [["A-1", "2025-03-01", 50, "YH-1", ""]],
    }  # fmt: skip
    web_import(client_as("clerk"), xlsx("甲镇.xlsx", sheets))
    after = rollup_cells()
    assert after != before  # the project itself counts (approved in January)
    assert after == rebuilt_cells()
    report = build_report(year_get_or_create(YEAR), AS_OF)
    a01 = {row.unit.code: row.cells for row in report.units}["A01"]
    assert a01["foreign_projects"].actual == D("1")
    assert a01["fdi_actual"].actual == D("0")  # pending money does not count


def test_a_deposit_correction_by_import_is_refused_until_finance_voids_it(
    full_year, commerce, finance, xlsx
):
    # Second release (WORKBOOK.md): a payment is never edited in place; an 抵押金 row whose key
    # exists with other values is refused until the finance office voids the recorded one.
    assert run(full_year, user=commerce).ok
    row = [YEAR, "T01", 3000, "2025-04-12", "CZ-2025-009"]
    path = xlsx("更正抵押金.xlsx", {"抵押金": [row]})
    before = snapshot()
    result = run(path, user=finance)
    assert not result.ok
    assert len(result.errors) == 1 and result.errors[0].cell == "C2"
    assert "已登记，请财政局作废后重新登记" in result.errors[0].message
    assert snapshot() == before
    deposit = Deposit.objects.get(unit__code="T01")
    deposit_services.deposit_void(deposit=deposit, user=finance, reason="日期和票据号录错")
    result = run(path, user=finance)
    assert result.ok, errors_of(result)
    assert result.counts["抵押金"].created == 1
    new = Deposit.objects.live().get(unit__code="T01")
    record = new.history.latest()
    assert record.history_change_reason == "由 finance 从 更正抵押金.xlsx 导入"
    assert record.history_user == finance and new.receipt_no == "CZ-2025-009"
    assert sorted(e.amount for e in LedgerEntry.objects.filter(unit__code="T01")) == [
        D("-3000"),
        D("3000"),
        D("3000"),
    ]


def test_an_absent_optional_column_leaves_the_stored_values_alone(full_year, commerce, xlsx):
    """A 项目 sheet of the required columns and 签约日期 (valid by the contract) says nothing
    about the others: it must not erase them nor reset a project's stage to the default."""
    assert run(full_year, user=commerce).ok
    before = Project.objects.filter(code="2025-NZ-001").values().get()
    assert before["stage"] == "started" and before["contract_amount"] == D("5000")
    headers = ["项目编号", "项目名称", "类型", "单位编码", "来源地", "签约日期"]
    path = xlsx(
        "只有必填列.xlsx",
        {"项目": [["2025-NZ-001", "粤商物流", "内资", "T01", "广东省", "2025-03-01"]]},
        headers={"项目": headers},
    )
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    after = Project.objects.filter(code="2025-NZ-001").values().get()
    for name in ("stage", "signed_on", "contract_amount", "total_investment", "investor",
                 "industry", "is_park_project", "referrer_name"):  # fmt: skip
        assert after[name] == before[name], name
    assert result.counts["项目"].unchanged == 1


def test_a_long_file_name_fits_the_audit_trail(client_as, commerce, xlsx):
    """Office file names run long; the reason 由 … 从 <file> 导入 must still be stored (the
    history's reason column holds 100 characters)."""
    name = (
        "关于印发2025年度全区招商引资目标管理考核办法的通知附件三：各乡镇街道园区"
        "招商引资项目及到位资金统计台账（截至2025年6月30日）最终修改稿（商务局汇总后返回各单位核对）.xlsx"
    )
    assert len(name) > 90
    path = xlsx(name, full_year_sheets())
    batch = web_import(client_as("commerce"), path)
    assert batch.original_name == name
    record = Project.objects.get(code="2025-WZ-001").history.latest()
    reason = record.history_change_reason
    assert reason.startswith("由 commerce 从 ") and len(reason) <= 100
    assert record.history_user == commerce
