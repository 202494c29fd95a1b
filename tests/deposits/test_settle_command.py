"""`settle_deposits` on a hand-computed district workbook (WORKBOOK.md): the outcomes per unit,
a dry run that writes nothing (not even a year), and a second confirmation that changes
nothing, says so and prints the recorded outcome."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command

from deposits import services
from deposits.models import LedgerEntry, Settlement
from targets.models import AssessmentYear, Indicator, Quota
from targets.services import quotas_save
from tests.workbook.builder import build
from workbook.importer import import_workbook

YEAR = 2024
HEADER = "单位编码,单位名称,结果,缴纳金额,退还金额,奖励金额,没收金额"


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("settle_deposits", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rows(out: str) -> dict[str, list[str]]:
    return {row[0]: row for row in list(csv.reader(io.StringIO(out)))[1:]}


@pytest.fixture
def district(tmp_path, db):
    """Hand-computed:
    K01 fdi_actual 100, 100.00 arrived by 31 Dec (60 + 40) and paid → 退还并奖励;
    K02 fdi_actual 100 met, domestic_actual 50 with 49.99 → missed by 0.01, paid → 没收;
    K03 fdi_actual 10 met, never paid → 未缴纳;
    K04 a zero quota only, no payment → owes nothing, not listed;
    K05 domestic_projects 1 and a project from the home province (counts nothing), paid →
        没收 (the in-province project does not count)."""
    sheets = {
        "单位": [
            ["K01", "甲乡", "乡镇", ""],
            ["K02", "乙乡", "乡镇", ""],
            ["K03", "丙乡", "乡镇", ""],
            ["K04", "丁乡", "乡镇", ""],
            ["K05", "戊乡", "乡镇", ""],
        ],
        "任务": [
            [YEAR, "K01", "fdi_actual", 100],
            [YEAR, "K02", "fdi_actual", 100],
            [YEAR, "K02", "domestic_actual", 50],
            [YEAR, "K03", "fdi_actual", 10],
            [YEAR, "K04", "fdi_actual", 0],
            [YEAR, "K05", "domestic_projects", 1],
        ],
        "项目": [
            ["P1", "外资一", "外资", "K01", "甲", "香港", "", "签约", "2024-01-05", "2024-01-06",
             500, None, None, "", "", ""],
            ["P2", "外资二", "外资", "K02", "乙", "美国", "", "签约", "2024-01-05", "2024-01-06",
             500, None, None, "", "", ""],
            ["P3", "内资三", "内资", "K02", "丙", "广东省", "", "签约", "2024-01-05", None,
             500, None, None, "", "", ""],
            ["P4", "外资四", "外资", "K03", "丁", "日本", "", "签约", "2024-01-05", "2024-01-06",
             500, None, None, "", "", ""],
            ["P5", "内资五", "内资", "K05", "戊", "湖南省", "", "签约", "2024-03-05", None,
             500, None, None, "", "", ""],
        ],
        "到位资金": [
            ["P1", "2024-03-01", 60, "V1", "已核实"],
            ["P1", "2024-12-31", 40, "V2", "已核实"],
            ["P2", "2024-05-01", 150, "V3", "已核实"],
            ["P3", "2024-06-01", "49.99", "V4", "已核实"],
            ["P3", "2025-01-02", 10, "V5", "已核实"],  # after 31 December: does not count
            ["P4", "2024-06-01", 10, "V6", "已核实"],
        ],
        "抵押金": [
            [YEAR, "K01", 3000, "2024-04-10", "R1"],
            [YEAR, "K02", 3000, "2024-05-10", "R2"],
            [YEAR, "K05", 3000, "2024-04-01", "R5"],
        ],
    }  # fmt: skip
    path = build(tmp_path / "district.xlsx", sheets)
    result = import_workbook(path)
    assert result.ok, [str(p) for p in result.errors]
    return path


EXPECTED = {
    "K01": ["K01", "甲乡", "退还并奖励", "3000.00", "3000.00", "3000.00", "0.00"],
    "K02": ["K02", "乙乡", "没收", "3000.00", "0.00", "0.00", "3000.00"],
    "K03": ["K03", "丙乡", "未缴纳", "0.00", "0.00", "0.00", "0.00"],
    "K05": ["K05", "戊乡", "没收", "3000.00", "0.00", "0.00", "3000.00"],
}


def test_the_dry_run_gives_the_hand_computed_outcomes_and_writes_nothing(district):
    ledger = LedgerEntry.objects.count()
    out, err = run("--year", str(YEAR))
    assert out.splitlines()[0] == HEADER
    assert rows(out) == EXPECTED
    assert "未写入任何数据" in err
    assert Settlement.objects.count() == 0
    assert LedgerEntry.objects.count() == ledger
    assert AssessmentYear.objects.get(year=YEAR).settled is False


def test_the_dry_run_of_a_year_nobody_used_creates_no_year(db):
    out, _err = run("--year", "2019")
    assert out.splitlines() == [HEADER]
    assert not AssessmentYear.objects.filter(year=2019).exists()


def test_confirm_records_the_outcomes_and_a_second_confirm_changes_nothing(district):
    out, err = run("--year", str(YEAR), "--confirm")
    assert rows(out) == EXPECTED
    assert "结算已记录" in err
    assert AssessmentYear.objects.get(year=YEAR).settled is True
    settled = Settlement.objects.count()
    ledger = LedgerEntry.objects.count()

    # a quota changed behind the lock is impossible, so the dry run agrees with the record
    out2, err2 = run("--year", str(YEAR), "--confirm")
    assert rows(out2) == EXPECTED
    assert "已经结算过，本次没有任何改动" in err2
    assert (Settlement.objects.count(), LedgerEntry.objects.count()) == (settled, ledger)
    dry, _ = run("--year", str(YEAR))
    assert rows(dry) == EXPECTED


def test_a_unit_that_paid_but_carries_only_a_zero_quota_gets_refund_only(district, finance):
    """K01's quota goes to zero after it paid: a zero quota is no task → 退还, no bonus."""
    ind = Indicator.objects.get(code="fdi_actual")
    k01 = Quota.objects.get(unit__code="K01", year__year=YEAR)
    quotas_save(year=YEAR, unit_values={(k01.unit_id, ind.pk): D("0")}, district_values={})
    out, _err = run("--year", str(YEAR))
    assert rows(out)["K01"] == ["K01", "甲乡", "退还", "3000.00", "3000.00", "0.00", "0.00"]
    # K04 (zero quota, never paid) owes nothing and is not listed at all
    assert "K04" not in rows(out)


def test_settle_year_marks_the_year_settled_in_the_same_transaction(district, finance):
    settlements, created = services.settle_year(year=YEAR, user=finance)
    assert created and len(settlements) == 4
    assert AssessmentYear.objects.get(year=YEAR).settled is True
    services.settlement_reverse(year=YEAR, user=finance, reason="复核")
    assert AssessmentYear.objects.get(year=YEAR).settled is False


def test_the_upgrade_backfills_the_lock_of_years_settled_before_it_existed(district, finance):
    """deposits/0002: a year with a live settlement from the first release is locked; a year
    whose settlement was reversed is not."""
    migration = import_module("deposits.migrations.0002_settled_backfill")
    services.settle_year(year=YEAR, user=finance)
    AssessmentYear.objects.filter(year=YEAR).update(settled=False)  # as in the first release
    other = AssessmentYear.objects.create(year=2023, deposit_due_date="2023-04-15")
    Settlement.objects.create(
        year=other,
        unit=Settlement.objects.first().unit,
        outcome="unpaid",
        reversed_at="2024-01-05T00:00:00Z",
        reversal_reason="重算",
    )
    migration.backfill_settled(apps, None)
    assert AssessmentYear.objects.get(year=YEAR).settled is True
    assert AssessmentYear.objects.get(year=2023).settled is False
    # a confirmation of such a year still says it is settled and keeps the lock
    _settlements, created = services.settle_year(year=YEAR, user=finance)
    assert created is False
