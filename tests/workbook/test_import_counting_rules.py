"""DOMAIN.md's counting rules through the workbook import: each broken rule refuses the whole
workbook with a `sheet!cell` message and writes nothing; a 万/亿 slip or a 重复统计 candidate
is a warning, the row is saved as given and stays flagged. The rules are the projects
services' (tests/projects/test_counting_rules.py); this checks that the import uses them."""

# ruff: noqa: F811 (the `existing` fixture is imported from test_import_rules)
from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import counting, services
from projects.models import Inflow, Project
from targets.models import Rollup
from tests.workbook.conftest import errors_of, run, snapshot
from tests.workbook.test_import_rules import existing, refused  # noqa: F401 (fixture)
from workbook.importer import RowChange

CODE_A = "91430000MA4L00001D"
CODE_B = "91440300MA5F00002D"


def project_row(code="2025-NZ-101", unit="A01", stage="签约", signed="2025-03-01", **extra):
    """A 项目 row in the contract's column order, the second release's columns at the end."""
    row = [
        code, "项目" + code, "内资", unit, extra.get("investor", "粤商集团"), "广东省",
        "商贸物流", stage, signed, None, extra.get("contract", 100), None, None, "否", "", "",
        extra.get("credit", ""), extra.get("started"), extra.get("produced"),
    ]  # fmt: skip
    return row


def inflow_row(project="2025-NZ-101", day="2025-05-05", amount=50, voucher="YH-101", status=""):
    return [project, day, amount, voucher, status]


def rollup_cells() -> dict:
    return {
        (r.unit_id, r.indicator_id, r.year, r.month, r.day): r.amount
        for r in Rollup.objects.all()
        if r.amount != 0
    }


# --- refused whole, every error listed, nothing written -------------------------------------


@pytest.mark.parametrize("stage", ["意向", "洽谈"])
def test_money_for_a_project_not_yet_signed_is_refused(existing, commerce, xlsx, stage):
    path = xlsx(
        "未签约.xlsx",
        {"项目": [project_row(stage=stage, signed=None)], "到位资金": [inflow_row()]},
    )
    refused(path, "到位资金!A2: 项目尚未签约", commerce)


def test_money_for_a_terminated_project_is_refused(existing, commerce, xlsx):
    services.project_update(project=existing, user=commerce, data={"stage": "terminated"})
    path = xlsx("终止.xlsx", {"到位资金": [inflow_row(project="A-2025-001")]})
    refused(path, "到位资金!A2: 项目已终止，不能再登记新的到位资金", commerce)


def test_a_stage_moved_back_below_signing_with_verified_money_is_refused(existing, commerce, xlsx):
    row = [
        "A-2025-001", "甲镇外资", "外资", "A01", "", "香港", "", "洽谈", "2025-01-05",
        "2025-01-20", 600, None, None, "否", "", "",
    ]  # fmt: skip
    path = xlsx("退回.xlsx", {"项目": [row]})
    refused(path, "项目!H2: 项目已有已核实的到位资金，阶段不能退回到“洽谈”", commerce)


def test_a_voucher_used_anywhere_in_the_district_is_refused(existing, commerce, xlsx, unit_b):
    path = xlsx(
        "凭证.xlsx",
        {
            "项目": [project_row(code="B-2025-001", unit="B01")],
            "到位资金": [inflow_row(project="B-2025-001", voucher="YH-000")],
        },
    )
    errors = refused(path, "到位资金!D2: 凭证号“YH-000”已登记过", commerce)
    assert not any("A-2025-001" in error for error in errors)  # the other project is not named


def test_the_same_voucher_twice_in_one_file_is_refused(existing, commerce, xlsx):
    path = xlsx(
        "两次.xlsx",
        {
            "项目": [project_row()],
            "到位资金": [
                inflow_row(project="A-2025-001", voucher="YH-500"),
                inflow_row(voucher="YH-500"),
            ],
        },
    )
    refused(path, "到位资金!D3: 凭证号“YH-500”已登记过", commerce)


def test_a_credit_code_with_a_wrong_check_digit_is_refused(existing, commerce, xlsx):
    path = xlsx("代码.xlsx", {"项目": [project_row(credit="91430000MA4L00001A")]})
    refused(path, "项目!Q2: 统一社会信用代码“91430000MA4L00001A”无效", commerce)


def test_start_and_production_dates_are_checked(existing, commerce, xlsx):
    path = xlsx(
        "日期.xlsx",
        {
            "项目": [
                project_row(started="2025-02-01"),
                project_row(code="2025-NZ-102", produced="2999-01-01"),
            ]
        },
    )
    refused(
        path,
        "项目!R2: 开工日期 2025-02-01 早于签约日期 2025-03-01",
        commerce,
        also=("项目!S3: 日期 2999-01-01 晚于今天",),
    )


def test_start_and_production_dates_are_stored(existing, commerce, xlsx):
    path = xlsx(
        "投产.xlsx",
        {"项目": [project_row(stage="投产", started="2025-04-01", produced="2025-09-30")]},
    )
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    project = Project.objects.get(code="2025-NZ-101")
    assert (project.started_on.isoformat(), project.produced_on.isoformat()) == (
        "2025-04-01",
        "2025-09-30",
    )


def test_every_error_is_listed_however_many(existing, commerce, xlsx):
    rows = [inflow_row(project="A-2025-001", day="not a date", voucher=f"E{n}") for n in range(600)]
    before = snapshot()
    result = run(xlsx("多错.xlsx", {"到位资金": rows}), user=commerce)
    assert len(result.errors) == 600
    assert str(result.errors[-1]).startswith("到位资金!B601:")
    assert snapshot() == before


# --- warnings: saved as given, flagged -------------------------------------------------------


def test_a_slip_is_a_warning_and_the_inflow_stays_flagged(existing, commerce, xlsx):
    # A01's whole-year fdi_actual quota is 1000 万美元 (the fixture)
    path = xlsx(
        "万亿.xlsx", {"到位资金": [inflow_row(project="A-2025-001", amount=85000, status="待核实")]}
    )
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    warnings = [str(w) for w in result.warnings]
    assert any(
        w.startswith("到位资金!C2: 金额 85,000.00万美元 超过本单位全年任务 1,000.00万美元")
        for w in warnings
    ), warnings
    inflow = Inflow.objects.get(voucher_no="YH-101")
    assert inflow.amount == D("85000") and inflow.amount_flagged and inflow.status == "pending"
    assert "超过本单位全年任务" in inflow.amount_flag_reason


def test_a_verified_slip_is_imported_as_given_and_counts(existing, commerce, xlsx):
    path = xlsx(
        "已核实.xlsx",
        {"到位资金": [inflow_row(project="A-2025-001", amount=85000, status="已核实")]},
    )
    result = run(path, user=commerce)
    assert result.ok and result.warnings
    inflow = Inflow.objects.get(voucher_no="YH-101")
    assert inflow.status == "verified" and inflow.amount_flagged
    live = rollup_cells()
    counting.rebuild()
    assert live == rollup_cells()


def test_a_duplicate_candidate_is_a_warning_and_both_are_flagged(existing, commerce, xlsx, unit_b):
    services.project_update(project=existing, user=commerce, data={"investor_credit_code": CODE_A})
    path = xlsx(
        "重复.xlsx",
        {
            "项目": [
                project_row(code="B-2025-001", unit="B01", credit=CODE_A),
                project_row(code="B-2025-002", unit="B01", credit=CODE_B),
            ]
        },
    )
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    warnings = [str(w) for w in result.warnings]
    assert any(w.startswith("项目!Q2: 其他单位已登记同一投资方") for w in warnings), warnings
    assert not any(w.startswith("项目!Q3") for w in warnings)
    flagged = set(Project.objects.filter(duplicate_flagged=True).values_list("code", flat=True))
    assert flagged == {"A-2025-001", "B-2025-001"}


def test_duplicates_within_one_file_are_flagged(existing, commerce, xlsx, unit_b):
    path = xlsx(
        "同文件.xlsx",
        {
            "项目": [
                project_row(code="A-2025-009", credit=CODE_B),
                project_row(code="B-2025-009", unit="B01", credit=CODE_B),
            ]
        },
    )
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    assert set(Project.objects.filter(duplicate_flagged=True).values_list("code", flat=True)) == {
        "A-2025-009",
        "B-2025-009",
    }


def test_a_dry_run_with_warnings_writes_nothing(existing, commerce, xlsx):
    path = xlsx("预览.xlsx", {"到位资金": [inflow_row(project="A-2025-001", amount=85000)]})
    before = snapshot()
    result = run(path, user=commerce, dry_run=True)
    assert result.ok and result.warnings
    assert snapshot() == before


# --- what each row did --------------------------------------------------------------------


def test_the_result_lists_what_each_row_did(existing, commerce, xlsx):
    row = [
        "A-2025-001", "甲镇外资（改名）", "外资", "A01", "", "香港", "", "签约", "2025-01-05",
        "2025-01-20", 600, None, None, "否", "", "",
    ]  # fmt: skip
    path = xlsx(
        "变化.xlsx",
        {
            "项目": [project_row(), row],
            "到位资金": [
                inflow_row(),
                inflow_row("A-2025-001", "2025-02-01", 100, "YH-000", "已核实"),  # unchanged
            ],
        },
    )
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    assert result.changes == [
        RowChange("项目", 2, "created", "2025-NZ-101"),
        RowChange("项目", 3, "updated", "A-2025-001"),
        RowChange("到位资金", 2, "created", "2025-NZ-101 YH-101"),
    ]
    assert result.counts["到位资金"].unchanged == 1


def test_the_rules_cost_no_query_per_row(existing, commerce, xlsx):
    def queries(n: int) -> int:
        rows = [project_row(code=f"Q-{n}-{i}", credit="") for i in range(n)]
        money = [inflow_row(project=f"Q-{n}-{i}", voucher=f"Q-{n}-{i}") for i in range(n)]
        path = xlsx(f"q{n}.xlsx", {"项目": rows, "到位资金": money})
        with CaptureQueriesContext(connection) as ctx:
            result = run(path, user=commerce, dry_run=True)
        assert result.ok, errors_of(result)
        return len(ctx.captured_queries)

    assert queries(20) == queries(2)
