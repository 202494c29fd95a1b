"""`manage.py import_workbook FILE [--dry-run]` as WORKBOOK.md promises it."""

import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from deposits.models import Deposit
from projects.models import Inflow, Project
from targets.models import DistrictTask, Quota
from tests.workbook.conftest import FULL_YEAR_ROWS, YEAR, full_year_sheets, snapshot
from units.models import Unit

pytestmark = pytest.mark.django_db


def cli(*args):
    """Run the command; (stdout, stderr). A CommandError propagates (non-zero exit)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_workbook", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def cli_fails(*args):
    """Run the command expecting failure; (error message, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_workbook", *[str(a) for a in args], stdout=out, stderr=err)
    return str(info.value), out.getvalue(), err.getvalue()


def test_a_full_year_workbook_is_imported_with_counts_per_sheet(full_year):
    out, _err = cli(full_year)
    for name, rows in FULL_YEAR_ROWS.items():
        assert f"{name}：新增 {rows}，更新 0，未变 0" in out
    assert "导入完成" in out
    # sheet order in the output is the order they are applied in
    assert [line.split("：")[0] for line in out.splitlines()[:5]] == [
        "单位",
        "任务",
        "项目",
        "到位资金",
        "抵押金",
    ]
    assert set(Unit.objects.values_list("code", flat=True)) == {"T01", "T02"}
    assert Unit.objects.get(code="T01").category == "key_township"
    assert Quota.objects.filter(year__year=YEAR).count() == 3
    assert DistrictTask.objects.get(year__year=YEAR).amount == D("5000")
    foreign = Project.objects.get(code="2025-WZ-001")
    assert foreign.capital_type == "foreign" and foreign.unit.code == "T01"
    assert foreign.contract_amount == D("800")
    assert Project.objects.get(code="2025-NZ-001").total_investment == D("20000")
    assert Project.objects.get(code="2025-NZ-001").is_park_project is True
    assert Inflow.objects.filter(status="verified").count() == 4
    assert Inflow.objects.get(voucher_no="YH-003").status == "pending"
    assert Deposit.objects.get(unit__code="T02").amount == D("3000")


def test_importing_the_same_workbook_twice_changes_nothing_the_second_time(full_year):
    cli(full_year)
    before = snapshot()
    out, _err = cli(full_year)
    for name, rows in FULL_YEAR_ROWS.items():
        assert f"{name}：新增 0，更新 0，未变 {rows}" in out
    assert snapshot() == before


def test_dry_run_counts_but_writes_nothing(full_year):
    before = snapshot()
    out, _err = cli(full_year, "--dry-run")
    for name, rows in FULL_YEAR_ROWS.items():
        assert f"{name}：新增 {rows}，更新 0，未变 0" in out
    assert "试运行" in out and "未写入" in out
    assert snapshot() == before


def test_an_update_is_counted_as_such(full_year, xlsx):
    cli(full_year)
    sheets = full_year_sheets()
    sheets["项目"][0][1] = "国润外资（更名）"
    sheets["到位资金"][0][2] = 310
    changed = xlsx("更正.xlsx", {"项目": sheets["项目"], "到位资金": sheets["到位资金"]})
    out, _err = cli(changed)
    assert "项目：新增 0，更新 1，未变 2" in out
    assert "到位资金：新增 0，更新 1，未变 4" in out
    assert Project.objects.get(code="2025-WZ-001").name == "国润外资（更名）"
    assert Inflow.objects.get(voucher_no="YH-001").amount == D("310")


def test_a_broken_workbook_fails_with_every_error_printed_and_nothing_written(xlsx):
    sheets = full_year_sheets()
    sheets["单位"][1][2] = "村"  # C3: not a unit kind
    sheets["项目"][1][9] = "2025.3.1"  # J3: 批准日期 in a refused form
    sheets["到位资金"][0][2] = "三百"  # C2: text in a number cell
    sheets["抵押金"][1][1] = "ZZ9"  # B3: unknown unit
    path = xlsx("坏.xlsx", sheets)
    before = snapshot()
    message, out, err = cli_fails(path)
    assert "未写入任何数据" in message
    assert "单位!C3: 单位类型“村”无效" in err
    assert "项目!J3: 日期“2025.3.1”格式不对" in err
    assert "到位资金!C2: “三百”不是数字" in err
    assert "抵押金!B3: 单位编码“ZZ9”不存在" in err
    assert "导入完成" not in out
    assert snapshot() == before


def test_an_error_in_the_last_sheet_undoes_the_earlier_sheets(xlsx):
    sheets = full_year_sheets()
    sheets["抵押金"][1][3] = "2025/4/31"  # 抵押金!D3: no such day
    path = xlsx("末表错.xlsx", sheets)
    before = snapshot()
    _message, _out, err = cli_fails(path)
    assert err.strip().splitlines() == ["抵押金!D3: 日期“2025/4/31”不存在"]
    assert snapshot() == before
    assert not Unit.objects.filter(code="T01").exists()


def test_a_broken_workbook_fails_in_a_dry_run_too(xlsx):
    sheets = full_year_sheets()
    sheets["任务"][0][3] = -1
    path = xlsx("坏.xlsx", sheets)
    before = snapshot()
    _message, _out, err = cli_fails(path, "--dry-run")
    assert "任务!D2: 任务数不能为负数" in err
    assert snapshot() == before


def test_a_missing_file_is_an_error():
    message, _out, _err = cli_fails("/nonexistent/全年.xlsx")
    assert "找不到文件" in message


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_text("单位编码,单位名称\nT01,郴江镇\n", encoding="utf-8")
    before = snapshot()
    message, _out, _err = cli_fails(path)
    assert "不是有效的 Excel 工作簿" in message  # a bad argument: one line (WORKBOOK.md)
    assert snapshot() == before


def test_the_command_line_names_itself_in_the_history(full_year):
    cli(full_year)
    project = Project.objects.get(code="2025-WZ-001")
    record = project.history.get()
    assert record.history_change_reason == "由 命令行 从 全年.xlsx 导入"
    assert record.history_user is None


def test_a_user_option_applies_that_users_rules(xlsx, clerk, unit_b):
    path = xlsx(
        "甲镇.xlsx",
        {
            "项目": [
                ["A-1", "甲镇项目", "内资", "A01", "", "广东省", "", "签约", "2025-03-01"],
                ["B-1", "乙镇项目", "内资", "B01", "", "广东省", "", "签约", "2025-03-01"],
            ]
        },
    )
    before = snapshot()
    _message, _out, err = cli_fails(path, "--user", clerk.username)
    assert "项目!D3: 不能导入其他单位（B01）的项目" in err
    assert snapshot() == before
