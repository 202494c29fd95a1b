"""Shared helpers for the workbook import tests: a full-year workbook, counts of everything
an import could write, and small builders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from deposits.models import Deposit, LedgerEntry
from projects.models import Inflow, Project, StageChange
from targets.models import AssessmentYear, DistrictTask, Quota, Rollup
from tests.workbook.builder import build
from units.models import Unit
from workbook.importer import import_workbook

YEAR = 2025  # a past year: no date in it is in the future

COUNTED_MODELS = {
    "Unit": Unit,
    "Quota": Quota,
    "DistrictTask": DistrictTask,
    "AssessmentYear": AssessmentYear,
    "Project": Project,
    "StageChange": StageChange,
    "Inflow": Inflow,
    "Deposit": Deposit,
    "LedgerEntry": LedgerEntry,
    "Rollup": Rollup,
}
HISTORY_MODELS = {
    "Unit.history": Unit,
    "Quota.history": Quota,
    "DistrictTask.history": DistrictTask,
    "Project.history": Project,
    "Inflow.history": Inflow,
    "Deposit.history": Deposit,
}


def snapshot() -> dict[str, object]:
    """Row counts of every table an import writes, history included, plus the rollup sums."""
    counts: dict[str, object] = {
        name: model.objects.count() for name, model in COUNTED_MODELS.items()
    }
    for name, model in HISTORY_MODELS.items():
        counts[name] = model.history.count()
    counts["Rollup.cells"] = sorted(
        (r.unit_id, r.indicator_id, r.year, r.month, r.day, str(r.amount))
        for r in Rollup.objects.all()
    )
    return counts


def full_year_sheets() -> dict[str, list[list]]:
    """A district's full year (2025) in all five sheets; later sheets refer to what earlier
    ones create. Dates are mixed: Excel dates and the three accepted text forms."""
    return {
        "单位": [
            ["T01", "郴江镇", "乡镇", "重点乡镇"],
            ["T02", "城南街道", "街道", ""],
        ],
        "任务": [
            [YEAR, "T01", "fdi_actual", 1000],
            [YEAR, "T01", "实际到位内资（境内省外资金）", 20000],
            [YEAR, "T02", "domestic_projects", 4],
            [YEAR, "全区", "fdi_actual", 5000],
        ],
        "项目": [
            [
                "2025-WZ-001", "国润外资", "外资", "T01", "国润集团", "香港", "房地产开发", "签约",
                dt.datetime(YEAR, 1, 5), "2025-02-01", 800, 3000, 12000, "否", "", "",
            ],
            [
                "2025-NZ-001", "粤商物流", "内资", "T01", "粤商集团", "广东省", "商贸物流", "开工",
                "2025/3/1", None, 5000, None, "20,000", "是", "", "张三",
            ],
            [
                "2025-NZ-002", "湘商项目", "内资", "T02", "湘商公司", "湖南省", "", "签约",
                "2025年4月1日", None, 3000, None, None, "", "", "",
            ],
        ],
        "到位资金": [
            ["2025-WZ-001", "2025-03-10", 300, "YH-001", "已核实"],
            ["2025-WZ-001", dt.datetime(YEAR, 6, 30), 212, "YH-002", "已核实"],
            ["2025-WZ-001", "2025-05-01", 1000, "YH-003", "待核实"],
            ["2025-NZ-001", "2025-04-02", 5000, "YH-004", "已核实"],
            ["2025-NZ-002", "2025-04-02", 7000, "YH-005", "已核实"],
        ],
        "抵押金": [
            [YEAR, "T01", 3000, "2025-04-10", "CZ-2025-001"],
            [YEAR, "T02", "3,000", "2025/4/12", "CZ-2025-002"],
        ],
    }  # fmt: skip


# Rows per sheet of the full-year workbook, for the counts of a first and a second import.
FULL_YEAR_ROWS = {"单位": 2, "任务": 4, "项目": 3, "到位资金": 5, "抵押金": 2}


@pytest.fixture
def xlsx(tmp_path):
    """``xlsx("name.xlsx", {sheet: rows}, headers=None)`` → path of a freshly built workbook."""

    def make(name: str, sheets: dict[str, list[list]], headers=None) -> Path:
        return build(tmp_path / name, sheets, headers=headers)

    return make


@pytest.fixture
def full_year(xlsx):
    return xlsx("全年.xlsx", full_year_sheets())


def errors_of(result) -> list[str]:
    return [str(problem) for problem in result.errors]


def run(path: Path, user=None, dry_run: bool = False):
    return import_workbook(path, user=user, dry_run=dry_run)
