"""The sheets of the second release (WORKBOOK.md): 指标, 考核方案, 报送 and 加减分 — each sheet's
happy path, every error as ``sheet!cell``, idempotence (also after settlement), the settled
year's refusal, and the order (单位, 指标, 考核方案, 任务, 项目, 到位资金, 报送, 加减分, 抵押金)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from deposits import services as deposit_services
from targets.models import (
    AssessmentYear,
    Indicator,
    Quota,
    ReportedFigure,
    ReportedStatus,
    Rollup,
    SchemeEntry,
    ScoreAdjustment,
)
from targets.selectors import rollup_period_totals
from tests.targets.reported_helpers import make_reported_indicator
from tests.workbook.conftest import YEAR, errors_of, run, snapshot
from units.models import Unit
from workbook.reports import TEMPLATE_KEYS, template
from workbook.sheets import SHEET_ORDER, SHEETS

pytestmark = pytest.mark.django_db

UNITS = [["T01", "郴江镇", "乡镇", ""], ["T02", "城南街道", "街道", ""]]


def _snapshot() -> dict:
    counts = snapshot()
    for model in (Indicator, SchemeEntry, ScoreAdjustment, ReportedFigure):
        counts[model.__name__] = model.objects.count()
        counts[model.__name__ + ".history"] = model.history.count()
    return counts


def _counts(result, sheet) -> tuple[int, int, int]:
    c = result.counts[sheet]
    return (c.created, c.updated, c.unchanged)


def test_the_sheets_are_applied_in_the_contracts_order():
    assert SHEET_ORDER == [
        "单位", "指标", "考核方案", "任务", "项目", "到位资金", "报送", "加减分", "抵押金",
    ]  # fmt: skip
    assert [c.header for c in SHEETS["指标"]] == ["指标编码", "指标名称", "计量单位"]
    assert [c.header for c in SHEETS["考核方案"]] == ["年度", "指标", "权重", "封顶", "计入抵押金"]
    assert [c.header for c in SHEETS["报送"]] == [
        "年度", "月份", "单位编码", "指标", "完成数", "核实状态",
    ]  # fmt: skip
    assert [c.header for c in SHEETS["加减分"]] == ["年度", "单位编码", "分值", "事由"]


# --- a whole scheme year in one workbook ------------------------------------------------------


def scheme_year() -> dict[str, list[list]]:
    """Sheets listed in reverse of the order they are applied in: each refers to what a
    sheet applied before it creates (a new indicator, its quota, its scheme line, units)."""
    return {
        "加减分": [
            [YEAR, "T01", 2, "省级重点项目签约"],
            [YEAR, "T02", "-1.5", "月报迟报"],
        ],
        "报送": [
            [YEAR, 1, "T01", "std_factory", 5000, "已核实"],
            [YEAR, 2, "T01", "标准厂房", "7,000", "已核实"],
            [YEAR, 3, "T01", "std_factory", 4000, "待核实"],
            [YEAR, 1, "T02", "std_factory", 1000, ""],
        ],
        "任务": [
            [YEAR, "T01", "标准厂房", 20000],
            [YEAR, "T02", "std_factory", 20000],
            [YEAR, "全区", "std_factory", 40000],
            [YEAR, "T01", "fdi_actual", 1000],
        ],
        "考核方案": [
            [YEAR, "fdi_actual", 60, 120, "是"],
            [YEAR, "标准厂房", 40, "", "否"],
        ],
        "指标": [["std_factory", "标准厂房", "平方米"]],
        "单位": UNITS,
    }


SCHEME_YEAR_ROWS = {"单位": 2, "指标": 1, "考核方案": 2, "任务": 4, "报送": 4, "加减分": 2}


@pytest.fixture
def scheme_book(xlsx):
    return xlsx("考核.xlsx", scheme_year())


def test_a_scheme_year_imports_in_order(scheme_book):
    result = run(scheme_book)
    assert result.ok, errors_of(result)
    for sheet, rows in SCHEME_YEAR_ROWS.items():
        assert _counts(result, sheet) == (rows, 0, 0), sheet
    indicator = Indicator.objects.get(code="std_factory")
    assert indicator.reported and indicator.unit_label == "平方米"
    t01 = Unit.objects.get(code="T01")
    assert Quota.objects.get(unit=t01, indicator=indicator).amount == D("20000")
    entry = SchemeEntry.objects.get(year__year=YEAR, indicator=indicator)
    assert (entry.weight, entry.cap_percent, entry.decides_deposit) == (D(40), D(120), False)
    assert ScoreAdjustment.objects.get(unit__code="T02").points == D("-1.5")
    figures = ReportedFigure.objects.filter(unit=t01).order_by("month")
    assert [f.status for f in figures] == ["verified", "verified", "pending"]
    # Only verified figures count, each in its own month.
    assert rollup_period_totals(dt.date(YEAR, 1, 31))[(t01.pk, "std_factory")] == D("5000")
    assert rollup_period_totals(dt.date(YEAR, 3, 31))[(t01.pk, "std_factory")] == D("12000")
    assert (Unit.objects.get(code="T02").pk, "std_factory") not in rollup_period_totals(
        dt.date(YEAR, 3, 31)
    )


def test_importing_the_scheme_year_twice_changes_nothing(scheme_book):
    assert run(scheme_book).ok
    before = _snapshot()
    result = run(scheme_book)
    assert result.ok, errors_of(result)
    for sheet, rows in SCHEME_YEAR_ROWS.items():
        assert _counts(result, sheet) == (0, 0, rows), sheet
    assert _snapshot() == before


@pytest.fixture
def settled(scheme_book, finance):
    assert run(scheme_book).ok
    deposit_services.settle_year(year=YEAR, user=finance)
    assert AssessmentYear.objects.get(year=YEAR).settled
    return scheme_book


def test_the_scheme_year_re_imports_unchanged_after_settlement(settled):
    before = _snapshot()
    result = run(settled)
    assert result.ok, errors_of(result)
    for sheet, rows in SCHEME_YEAR_ROWS.items():
        assert _counts(result, sheet) == (0, 0, rows), sheet
    assert _snapshot() == before


def test_a_scheme_row_that_changes_a_settled_year_is_refused(settled, xlsx):
    before = _snapshot()
    changed = xlsx("改方案.xlsx", {"考核方案": [[YEAR, "fdi_actual", 70, 120, "是"]]})
    result = run(changed)
    assert not result.ok
    assert [e.split(":")[0] for e in errors_of(result)] == ["考核方案!C2"]
    assert "结算" in errors_of(result)[0]
    added = xlsx("加方案.xlsx", {"考核方案": [[YEAR, "domestic_actual", 10, 120, "是"]]})
    assert [e.split(":")[0] for e in errors_of(run(added))] == ["考核方案!C2"]
    assert _snapshot() == before


def test_an_adjustment_that_changes_a_settled_year_is_refused(settled, xlsx):
    before = _snapshot()
    changed = xlsx("改加分.xlsx", {"加减分": [[YEAR, "T01", 3, "省级重点项目签约"]]})
    result = run(changed)
    assert not result.ok
    assert [e.split(":")[0] for e in errors_of(result)] == ["加减分!C2"]
    added = xlsx("加加分.xlsx", {"加减分": [[YEAR, "T01", 1, "新事由"]]})
    assert not run(added).ok
    assert _snapshot() == before


# --- 指标 ---------------------------------------------------------------------------------


def test_indicator_sheet_updates_a_reported_indicator_by_its_code(xlsx):
    assert run(xlsx("a.xlsx", {"指标": [["loans", "银企对接", "亿元"]]})).ok
    result = run(xlsx("b.xlsx", {"指标": [["loans", "银企对接贷款", "亿元"]]}))
    assert result.ok, errors_of(result)
    assert _counts(result, "指标") == (0, 1, 0)
    assert Indicator.objects.get(code="loans").name == "银企对接贷款"


def test_indicator_sheet_errors_name_their_cells(xlsx):
    before = _snapshot()
    rows = [
        ["Bad-Code", "坏编码", "个"],  # A2: not lower-case letters, digits and _
        ["fdi_actual", "改名的内置指标", "万美元"],  # a built-in indicator is not changed
        ["new_one", "", "个"],  # B4: empty name
        ["dup", "重复一", "个"],
        ["dup", "重复二", "个"],  # A6: the same code twice in the file
        ["no_unit", "没有计量单位", None],  # C7: empty unit of measure
    ]
    result = run(xlsx("bad.xlsx", {"指标": rows}))
    assert not result.ok
    cells = {e.split(":")[0] for e in errors_of(result)}
    assert {"指标!A2", "指标!B4", "指标!A6", "指标!C7"} <= cells
    assert any(c.startswith("指标!") and c.endswith("3") for c in cells)  # the built-in row
    assert _snapshot() == before


# --- 考核方案 -------------------------------------------------------------------------------


def test_scheme_sheet_errors_name_their_cells(xlsx):
    before = _snapshot()
    rows = [
        [YEAR, "no_such", 10, 120, "是"],  # B2
        [YEAR, "fdi_actual", 0, 120, "是"],  # C3: weight must be > 0
        [YEAR, "fdi_contract", "十", 120, "是"],  # C4: not a number
        [YEAR, "foreign_projects", 10, 120, "也许"],  # E5: 是/否
        [YEAR, "domestic_actual", 10, 120, "是"],
        [YEAR, "实际到位内资（境内省外资金）", 10, 120, "是"],  # B7: the same line twice
        [1999, "domestic_projects", 10, 120, "是"],  # A8: year out of range
    ]
    result = run(xlsx("bad.xlsx", {"考核方案": rows}))
    assert not result.ok
    cells = {e.split(":")[0] for e in errors_of(result)}
    assert {"考核方案!B2", "考核方案!C3", "考核方案!C4", "考核方案!E5", "考核方案!B7"} <= cells
    assert "考核方案!A8" in cells
    assert _snapshot() == before


# --- 报送 ---------------------------------------------------------------------------------


@pytest.fixture
def std_factory(db):
    return make_reported_indicator()


@pytest.fixture
def two_units(db):
    from tests.factories import UnitFactory

    return UnitFactory(code="T01", name="郴江镇"), UnitFactory(code="T02", name="城南街道")


def test_reported_sheet_happy_path_and_idempotence(xlsx, std_factory, two_units):
    t01, _t02 = two_units
    rows = [
        [YEAR, 4, "T01", "std_factory", 3000, "已核实"],
        [YEAR, 5, "T01", "std_factory", 2000, "待核实"],
        [YEAR, 5, "T02", "标准厂房", "1,500.50", None],
    ]
    path = xlsx("报送.xlsx", {"报送": rows})
    result = run(path)
    assert result.ok, errors_of(result)
    assert _counts(result, "报送") == (3, 0, 0)
    figure = ReportedFigure.objects.get(unit=t01, month=4)
    assert figure.status == ReportedStatus.VERIFIED and figure.verified_at is not None
    assert figure.history.count() == 1
    assert rollup_period_totals(dt.date(YEAR, 5, 31))[(t01.pk, "std_factory")] == D("3000")
    before = _snapshot()
    again = run(path)
    assert again.ok and _counts(again, "报送") == (0, 0, 3)
    assert _snapshot() == before


def test_reported_sheet_updates_by_its_key_and_verifies(xlsx, std_factory, two_units):
    t01, _t02 = two_units
    assert run(xlsx("a.xlsx", {"报送": [[YEAR, 5, "T01", "std_factory", 2000, "待核实"]]})).ok
    result = run(xlsx("b.xlsx", {"报送": [[YEAR, 5, "T01", "std_factory", 2500, "已核实"]]}))
    assert result.ok, errors_of(result)
    assert _counts(result, "报送") == (0, 1, 0)
    assert rollup_period_totals(dt.date(YEAR, 5, 31))[(t01.pk, "std_factory")] == D("2500")
    # a correction by the bureau moves the count with it
    result = run(xlsx("c.xlsx", {"报送": [[YEAR, 5, "T01", "std_factory", 2600, "已核实"]]}))
    assert result.ok and _counts(result, "报送") == (0, 1, 0)
    assert rollup_period_totals(dt.date(YEAR, 5, 31))[(t01.pk, "std_factory")] == D("2600")
    assert Rollup.objects.filter(unit=t01, year=YEAR, month=5, day=31).get().amount == D("2600")


def test_reported_sheet_errors_are_all_listed_with_their_cells(xlsx, std_factory, two_units):
    ahead = timezone.localdate() + dt.timedelta(days=40)
    rows = [
        [YEAR, 13, "T01", "std_factory", 1, ""],  # B2 month out of range
        [YEAR, 1, "T99", "std_factory", 1, ""],  # C3 unknown unit
        [YEAR, 1, "T01", "no_such", 1, ""],  # D4 unknown indicator
        [YEAR, 2, "T01", "fdi_actual", 1, ""],  # D5 a built-in indicator
        [YEAR, 3, "T01", "std_factory", -5, ""],  # E6 negative
        [YEAR, 4, "T01", "std_factory", 1, "已审核"],  # F7 bad status
        [YEAR, 6, "T01", "std_factory", 1, ""],
        [YEAR, 6, "T01", "标准厂房", 2, ""],  # B9 the same month twice
        [ahead.year, ahead.month, "T01", "std_factory", 1, ""],  # B10 not ended
        [YEAR, 7, "T01", "std_factory", "1.234", ""],  # E11 three decimals
    ]
    before = _snapshot()
    result = run(xlsx("bad.xlsx", {"报送": rows}))
    assert not result.ok
    cells = sorted(e.split(":")[0] for e in errors_of(result))
    assert cells == sorted(
        [
            "报送!B2",
            "报送!C3",
            "报送!D4",
            "报送!D5",
            "报送!E6",
            "报送!F7",
            "报送!B9",
            "报送!B10",
            "报送!E11",
        ]
    ), errors_of(result)
    messages = "\n".join(errors_of(result))
    assert "不是报送指标" in messages and "还没有结束" in messages and "与第 8 行重复" in messages
    assert _snapshot() == before


def test_a_clerk_imports_only_the_own_units_pending_figures(xlsx, std_factory, clerk, unit_b):
    before = _snapshot()
    rows = [
        [YEAR, 1, clerk.unit.code, "std_factory", 10, "待核实"],
        [YEAR, 2, clerk.unit.code, "std_factory", 10, "已核实"],  # F3: the bureau verifies
        [YEAR, 1, unit_b.code, "std_factory", 10, ""],  # C4: another unit
    ]
    result = run(xlsx("clerk.xlsx", {"报送": rows}), user=clerk)
    assert sorted(e.split(":")[0] for e in errors_of(result)) == ["报送!C4", "报送!F3"]
    assert _snapshot() == before
    result = run(xlsx("ok.xlsx", {"报送": rows[:1]}), user=clerk)
    assert result.ok, errors_of(result)
    assert ReportedFigure.objects.get().created_by == clerk


def test_a_clerk_cannot_change_a_verified_figure_by_import(xlsx, std_factory, clerk, commerce):
    code = clerk.unit.code
    verified = xlsx("a.xlsx", {"报送": [[YEAR, 1, code, "std_factory", 10, "已核实"]]})
    assert run(verified, commerce).ok
    result = run(xlsx("b.xlsx", {"报送": [[YEAR, 1, code, "std_factory", 11, ""]]}), user=clerk)
    assert [e.split(":")[0] for e in errors_of(result)] == ["报送!E2"]
    same = run(xlsx("c.xlsx", {"报送": [[YEAR, 1, code, "std_factory", 10, ""]]}), user=clerk)
    assert same.ok and _counts(same, "报送") == (0, 0, 1)


def test_reported_rows_re_import_unchanged_after_settlement(xlsx, std_factory, two_units, finance):
    path = xlsx("报送.xlsx", {"报送": [[YEAR, 4, "T01", "std_factory", 3000, "已核实"]]})
    assert run(path).ok
    deposit_services.settle_year(year=YEAR, user=finance)
    before = _snapshot()
    result = run(path)
    assert result.ok and _counts(result, "报送") == (0, 0, 1)
    assert _snapshot() == before


def test_the_finance_office_may_not_import_reported_figures(xlsx, std_factory, two_units, finance):
    result = run(xlsx("f.xlsx", {"报送": [[YEAR, 4, "T01", "std_factory", 1, ""]]}), finance)
    refusal = "报送: 您的角色不能导入这个工作表，请删除它后再上传。"
    assert [str(e) for e in result.errors] == [refusal]


# --- 加减分 -------------------------------------------------------------------------------


def test_adjustment_sheet_errors_name_their_cells(xlsx, two_units):
    before = _snapshot()
    rows = [
        [YEAR, "T99", 1, "事由一"],  # B2 unknown unit
        [YEAR, "T01", "两分", "事由二"],  # C3 not a number
        [YEAR, "T01", 0, "事由三"],  # C4 zero is no adjustment
        [YEAR, "T01", 1, "事由四"],
        [YEAR, "T01", 2, "事由四"],  # D6 the same 事由 twice
        [YEAR, "T01", 1, None],  # D7 empty 事由
    ]
    result = run(xlsx("bad.xlsx", {"加减分": rows}))
    assert not result.ok
    cells = {e.split(":")[0] for e in errors_of(result)}
    assert {"加减分!B2", "加减分!C3", "加减分!C4", "加减分!D6", "加减分!D7"} <= cells
    assert _snapshot() == before


def test_an_adjustment_updates_its_points_by_its_key(xlsx, two_units):
    assert run(xlsx("a.xlsx", {"加减分": [[YEAR, "T01", 2, "省级签约"]]})).ok
    result = run(xlsx("b.xlsx", {"加减分": [[YEAR, "T01", 3, "省级签约"]]}))
    assert result.ok and _counts(result, "加减分") == (0, 1, 0)
    assert ScoreAdjustment.objects.get().points == D(3)


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["indicators", "scheme", "reported", "adjustments"])
def test_each_new_template_has_only_a_header_and_a_notes_sheet(key, std_factory, tmp_path):
    sheet = TEMPLATE_KEYS[key]
    content = template(sheet)
    book = load_workbook(BytesIO(content))
    assert book.sheetnames == [sheet, "说明"]
    rows = list(book[sheet].iter_rows(values_only=True))
    assert [list(rows[0])] == [[c.header for c in SHEETS[sheet]]]
    assert all(v is None for row in rows[1:] for v in row)
    notes = [v for row in book["说明"].iter_rows(values_only=True) for v in row if v]
    assert any(isinstance(v, str) and "导入时跳过" in v for v in notes)
    path = tmp_path / f"{key}.xlsx"
    path.write_bytes(content)
    result = run(path)
    assert result.ok and result.warnings == [], [str(w) for w in result.warnings]
    assert all(_counts(result, name) == (0, 0, 0) for name in result.counts)


def test_the_reported_template_lists_only_reported_indicators(std_factory):
    book = load_workbook(BytesIO(template("报送")))
    listed = [v for row in book["说明"].iter_rows(values_only=True) for v in row]
    assert "std_factory" in listed and "fdi_actual" not in listed


@pytest.mark.parametrize("key", ["indicators", "scheme", "reported", "adjustments"])
def test_the_templates_download(client_as, key, db):
    response = client_as("commerce").get(reverse("workbook:template", args=[key]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
