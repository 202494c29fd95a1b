"""Importing into a settled year (WORKBOOK.md): the unchanged district workbook re-imports
with every row 未变; a workbook that changes a settled year's 任务 or 抵押金 is refused whole,
with a sheet!cell message, and writes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deposits import services as deposit_services
from targets.models import AssessmentYear
from tests.workbook.conftest import (
    FULL_YEAR_ROWS,
    YEAR,
    errors_of,
    full_year_sheets,
    run,
    snapshot,
)


@pytest.fixture
def settled(full_year, commerce, finance):
    result = run(full_year, user=None)
    assert result.ok, errors_of(result)
    deposit_services.settle_year(year=YEAR, user=finance)
    assert AssessmentYear.objects.get(year=YEAR).settled
    return full_year


def test_the_unchanged_workbook_re_imports_as_unchanged_after_settlement(settled):
    before = snapshot()
    result = run(settled, user=None)
    assert result.ok, errors_of(result)
    for sheet, rows in FULL_YEAR_ROWS.items():
        counts = result.counts[sheet]
        assert (counts.created, counts.updated, counts.unchanged) == (0, 0, rows), sheet
    assert snapshot() == before


def test_the_command_reports_every_row_unchanged_after_settlement(settled):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_workbook", str(settled), stdout=out, stderr=err)
    printed = out.getvalue() + err.getvalue()
    for sheet, rows in FULL_YEAR_ROWS.items():
        assert f"{sheet}：新增 0，更新 0，未变 {rows}" in printed


def test_a_changed_quota_in_a_settled_year_is_refused_whole(settled, xlsx):
    sheets = full_year_sheets()
    sheets["任务"][0][3] = 999  # T01 fdi_actual 1000 → 999 (row 2, column D)
    sheets["单位"].append(["T09", "新单位", "乡镇", ""])  # would be created, if anything were
    path = xlsx("改任务.xlsx", sheets)
    before = snapshot()
    result = run(path, user=None)
    assert not result.ok
    assert errors_of(result) == [
        "任务!D2: 2025 年的风险抵押金已经结算，该年度的任务数已锁定，不能修改；"
        "确需修改，请财政局先冲销结算（写明原因）。"
    ]
    assert snapshot() == before


def test_a_new_quota_in_a_settled_year_is_refused(settled, xlsx):
    path = xlsx("新任务.xlsx", {"任务": [[YEAR, "T02", "fdi_actual", 5]]})
    before = snapshot()
    result = run(path, user=None)
    assert [p.cell for p in result.errors] == ["D2"]
    assert "任务数已锁定" in result.errors[0].message
    assert snapshot() == before


def test_a_changed_deposit_in_a_settled_year_is_refused_whole(settled, xlsx):
    sheets = full_year_sheets()
    sheets["抵押金"][1][4] = "CZ-2025-099"  # T02's receipt number changes
    path = xlsx("改抵押金.xlsx", sheets)
    before = snapshot()
    result = run(path, user=None)
    assert [str(p.sheet) + "!" + p.cell for p in result.errors] == ["抵押金!C3"]
    assert "已登记，请财政局作废后重新登记" in result.errors[0].message
    assert snapshot() == before


def test_a_new_deposit_in_a_settled_year_is_refused(settled, xlsx, unit_a, commerce):
    sheets = {
        "任务": [[YEAR, "T01", "fdi_actual", 1000]],  # unchanged: fine
        "抵押金": [[YEAR, "A01", 3000, "2025-04-10", "CZ-NEW"]],
    }
    path = xlsx("新抵押金.xlsx", sheets)
    before = snapshot()
    result = run(path, user=None)
    assert not result.ok
    messages = errors_of(result)
    assert len(messages) == 1 and messages[0].startswith("抵押金!")
    assert snapshot() == before


def test_after_reversal_the_change_goes_through(settled, xlsx, finance):
    deposit_services.settlement_reverse(year=YEAR, user=finance, reason="任务数更正")
    sheets = full_year_sheets()
    sheets["任务"][0][3] = 999
    result = run(xlsx("改任务.xlsx", sheets), user=None)
    assert result.ok, errors_of(result)
    assert result.counts["任务"].updated == 1


def test_the_command_refuses_the_changed_workbook(settled, xlsx):
    sheets = full_year_sheets()
    sheets["任务"][0][3] = 999
    path = xlsx("改任务.xlsx", sheets)
    before = snapshot()
    with pytest.raises((CommandError, SystemExit)):
        call_command("import_workbook", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert snapshot() == before
