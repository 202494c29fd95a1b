"""Bad input, one test each: a clear Chinese message naming `sheet!cell`, and nothing
written (every table an import touches keeps its row count, the rollup its cells)."""

from __future__ import annotations

import datetime as dt
import io
import random
import secrets
import time
import zipfile
from decimal import Decimal as D

import pytest
from openpyxl import Workbook, load_workbook

from projects import services
from projects.models import Inflow, Project
from targets.models import Indicator, Quota
from targets.services import quotas_save
from tests.workbook.conftest import YEAR, errors_of, run, snapshot
from units.models import Unit
from workbook.sheets import SHEETS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture
def existing(unit_a, unit_b, commerce):
    """What the district already has: units A01 and B01, a 2025 quota of A01's, and a foreign
    project of A01's with a verified inflow (so that the rollup has cells)."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, indicators["fdi_actual"].pk): D("1000")},
        district_values={},
    )
    project = services.project_create(
        user=commerce,
        data={
            "code": "A-2025-001",
            "name": "甲镇外资",
            "capital_type": "foreign",
            "unit": unit_a,
            "origin": "香港",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 1, 5),
            "approved_on": dt.date(YEAR, 1, 20),
            "contract_amount": D("600"),
        },
    )
    inflow = services.inflow_create(
        user=commerce,
        project=project,
        data={"arrived_on": dt.date(YEAR, 2, 1), "amount": D("100"), "voucher_no": "YH-000"},
    )
    services.inflow_verify(inflow=inflow, user=commerce)
    return project


def valid() -> dict[str, list[list]]:
    """One valid row per sheet (row 2), referring to the existing units and project."""
    return {
        "单位": [["T01", "郴江镇", "乡镇", ""]],
        "任务": [[YEAR, "A01", "fdi_actual", 1200]],
        "项目": [
            [
                "2025-NZ-101", "粤商物流", "内资", "A01", "粤商集团", "广东省", "商贸物流", "签约",
                "2025-03-01", None, 100, None, None, "否", "", "",
            ]
        ],
        "到位资金": [["A-2025-001", "2025-05-05", 50, "YH-101", "已核实"]],
        "抵押金": [[YEAR, "A01", 3000, "2025-04-10", "CZ-1"]],
    }  # fmt: skip


def refused(path, expected: str, commerce, *, also: tuple[str, ...] = ()) -> list[str]:
    """Import as the commerce bureau; the import must fail with an error that starts with
    ``expected`` (and ones that start with each of ``also``), and write nothing."""
    before = snapshot()
    result = run(path, user=commerce)
    errors = errors_of(result)
    assert not result.ok
    for wanted in (expected, *also):
        assert any(error.startswith(wanted) for error in errors), (wanted, errors)
    assert snapshot() == before
    return errors


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in SHEETS[name]])
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- not an xlsx -----------------------------------------------------------------------


def test_a_renamed_csv_is_refused(existing, commerce, tmp_path):
    path = tmp_path / "项目.xlsx"
    path.write_bytes("项目编号,项目名称\n2025-NZ-101,粤商物流\n".encode("gbk"))
    errors = refused(path, "不是有效的 Excel 工作簿（.xlsx）", commerce)
    assert any("CSV" in error for error in errors)


def test_a_legacy_xls_is_refused(existing, commerce, tmp_path):
    path = tmp_path / "项目.xls"
    path.write_bytes(OLE_MAGIC + b"\x00" * 4096)
    refused(
        path, "这是旧版 Excel（.xls）文件，请在 Excel 中“另存为 Excel 工作簿（.xlsx）”", commerce
    )


def test_random_bytes_are_refused(existing, commerce, tmp_path):
    path = tmp_path / "随机.xlsx"
    path.write_bytes(b"\x00\x01" + random.Random(7).randbytes(8192))
    refused(path, "不是有效的 Excel 工作簿（.xlsx）", commerce)


def test_an_empty_file_is_refused(existing, commerce, tmp_path):
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    refused(path, "文件是空的", commerce)


def test_a_corrupt_workbook_is_refused(existing, commerce, tmp_path):
    """A real workbook whose sheet data was damaged in transit (its checksum fails)."""
    original = zipfile.ZipFile(io.BytesIO(workbook_bytes(valid())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as stored:
        for info in original.infolist():
            stored.writestr(info.filename, original.read(info.filename))
    data = bytearray(buffer.getvalue())
    at = data.index(b"<sheetData>") + len(b"<sheetData>") + 3
    data[at] ^= 0x20
    path = tmp_path / "损坏.xlsx"
    path.write_bytes(bytes(data))
    refused(path, "文件已损坏", commerce)


def test_a_truncated_workbook_is_refused_as_damaged(existing, commerce, tmp_path):
    """A download cut short: it starts as a zip but is not a whole one. Telling the user it
    may be a renamed CSV would send them looking for the wrong problem."""
    data = workbook_bytes(valid())
    assert data.startswith(b"PK\x03\x04")
    path = tmp_path / "半截.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    refused(path, "文件已损坏", commerce)


def test_a_workbook_whose_parts_are_not_xml_is_refused(existing, commerce, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "not xml")
        archive.writestr("xl/workbook.xml", "not xml either")
    path = tmp_path / "坏结构.xlsx"
    path.write_bytes(buffer.getvalue())
    refused(path, "文件已损坏或格式不对", commerce)


def test_a_password_protected_workbook_is_refused(existing, commerce, tmp_path):
    path = tmp_path / "加密.xlsx"
    path.write_bytes(
        OLE_MAGIC + b"\x00" * 1016 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 2048
    )
    refused(path, "文件设置了打开密码，请在 Excel 中去掉密码后再上传", commerce)


def test_a_file_over_the_size_limit_is_refused(existing, commerce, tmp_path, settings):
    settings.WORKBOOK_MAX_MB = 1
    book = Workbook()
    book.remove(book.active)
    for name, rows in valid().items():
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in SHEETS[name]])
        for row in rows:
            sheet.append(row)
    padding = book.create_sheet("备注")
    for _ in range(20000):
        padding.append([secrets.token_hex(64)])
    path = tmp_path / "大.xlsx"
    book.save(path)
    assert path.stat().st_size > 1024 * 1024
    refused(path, "文件太大", commerce)
    errors = errors_of(run(path, user=commerce))
    assert "上限为 1 MB" in errors[0]


def test_the_size_limit_is_a_setting(existing, commerce, xlsx, settings):
    path = xlsx("小.xlsx", {"项目": valid()["项目"]})
    settings.WORKBOOK_MAX_MB = 0
    refused(path, "文件太大", commerce)
    settings.WORKBOOK_MAX_MB = 1
    assert run(path, user=commerce, dry_run=True).ok


# --- sheets and columns ----------------------------------------------------------------


def test_a_workbook_without_any_importable_sheet_is_refused(existing, commerce, tmp_path):
    book = Workbook()
    book.active.title = "项目表"
    book.active.append([c.header for c in SHEETS["项目"]])
    book.active.append(valid()["项目"][0])
    path = tmp_path / "表名错.xlsx"
    book.save(path)
    errors = refused(path, "工作簿中没有可导入的工作表", commerce)
    names = "单位、指标、考核方案、任务、项目、到位资金、报送、加减分 或 抵押金"
    assert any(names in error for error in errors)


def test_a_sheet_referred_to_but_missing_is_an_error(existing, commerce, xlsx):
    """An inflow of a project that is neither in the database nor in a 项目 sheet."""
    path = xlsx("缺项目表.xlsx", {"到位资金": [["2025-NZ-999", "2025-05-05", 50, "YH-9", ""]]})
    refused(path, "到位资金!A2: 项目编号“2025-NZ-999”不存在", commerce)


def test_a_missing_required_column_is_an_error(existing, commerce, xlsx):
    headers = [c.header for c in SHEETS["项目"] if c.header != "来源地"]
    row = valid()["项目"][0]
    del row[5]
    path = xlsx(
        "缺列.xlsx", {"项目": [row], "到位资金": valid()["到位资金"]}, headers={"项目": headers}
    )
    refused(path, "项目!A1: 缺少必填列：来源地", commerce)


def test_two_missing_required_columns_are_named_together(existing, commerce, xlsx):
    path = xlsx(
        "缺两列.xlsx",
        {"到位资金": [["A-2025-001", 50]]},
        headers={"到位资金": ["项目编号", "金额"]},
    )
    refused(path, "到位资金!A1: 缺少必填列：到位日期、凭证号", commerce)


def test_an_unknown_column_is_only_a_warning(existing, commerce, xlsx):
    headers = [*(c.header for c in SHEETS["到位资金"]), "备注"]
    row = [*valid()["到位资金"][0], "随便写写"]
    path = xlsx("多列.xlsx", {"到位资金": [row]}, headers={"到位资金": headers})
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    assert any(str(w).startswith("到位资金!F1: 未知的列“备注”") for w in result.warnings)
    assert Inflow.objects.filter(voucher_no="YH-101").exists()


def test_columns_are_found_by_header_in_any_order(existing, commerce, xlsx):
    headers = ["凭证号", "金额", "核实状态", "到位日期", "项目编号"]
    path = xlsx(
        "乱序.xlsx",
        {"到位资金": [["YH-102", 70, "待核实", "2025-05-06", "A-2025-001"]]},
        headers={"到位资金": headers},
    )
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    inflow = Inflow.objects.get(voucher_no="YH-102")
    assert inflow.amount == D("70") and inflow.arrived_on == dt.date(YEAR, 5, 6)


def test_merged_header_cells_are_an_error(existing, commerce, xlsx):
    path = xlsx("合并.xlsx", {"项目": valid()["项目"], "到位资金": valid()["到位资金"]})
    book = load_workbook(path)
    book["项目"].merge_cells("A1:B1")
    book.save(path)
    refused(path, "项目!A1: 表头有合并单元格（A1:B1）", commerce)


def test_a_formula_is_an_error(existing, commerce, xlsx):
    rows = valid()["到位资金"]
    rows.append(["A-2025-001", "2025-05-06", "=100*3", "YH-102", ""])
    path = xlsx("公式.xlsx", {"到位资金": rows})
    refused(path, "到位资金!C3: 是公式，请复制后“粘贴为数值”再导入", commerce)


def test_text_in_a_number_cell_is_an_error(existing, commerce, xlsx):
    rows = valid()["项目"]
    rows[0][10] = "五百万"
    path = xlsx("文字.xlsx", {"项目": rows, "到位资金": valid()["到位资金"]})
    refused(path, "项目!K2: “五百万”不是数字", commerce)


def test_numeric_text_with_thousands_separators_is_a_number(existing, commerce, xlsx):
    rows = valid()["项目"]
    rows[0][10] = "1,250.50"
    path = xlsx("千分位.xlsx", {"项目": rows})
    assert run(path, user=commerce).ok
    assert Project.objects.get(code="2025-NZ-101").contract_amount == D("1250.50")


# --- dates -----------------------------------------------------------------------------


def test_the_three_text_date_forms_are_accepted(existing, commerce, xlsx):
    rows = [
        ["A-2025-001", "2025-06-30", 10, "D-1", ""],
        ["A-2025-001", "2025/6/30", 10, "D-2", ""],
        ["A-2025-001", "2025年6月30日", 10, "D-3", ""],
        ["A-2025-001", dt.datetime(YEAR, 6, 30), 10, "D-4", ""],
    ]
    path = xlsx("日期.xlsx", {"到位资金": rows})
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    days = set(
        Inflow.objects.filter(voucher_no__startswith="D-").values_list("arrived_on", flat=True)
    )
    assert days == {dt.date(YEAR, 6, 30)}
    assert Inflow.objects.filter(voucher_no__startswith="D-").count() == 4


@pytest.mark.parametrize(
    "text", ["30/06/2025", "6/30/2025", "2025.06.30", "20250630", "June 30, 2025", "6月30日"]
)
def test_other_date_forms_are_errors(existing, commerce, xlsx, text):
    rows = valid()["到位资金"]
    rows.append(["A-2025-001", text, 10, "D-9", ""])
    path = xlsx("日期错.xlsx", {"到位资金": rows})
    refused(
        path,
        f"到位资金!B3: 日期“{text}”格式不对，应为 2022-06-30、2022/6/30 或 2022年6月30日",
        commerce,
    )


def test_a_date_that_does_not_exist_is_an_error(existing, commerce, xlsx):
    rows = valid()["项目"]
    rows[0][8] = "2025-02-30"
    path = xlsx("无此日.xlsx", {"项目": rows})
    refused(path, "项目!I2: 日期“2025-02-30”不存在", commerce)


def test_a_date_in_the_future_is_an_error_as_in_the_form(existing, commerce, xlsx):
    rows = valid()["到位资金"]
    rows[0][1] = "2099-01-01"
    path = xlsx("未来.xlsx", {"到位资金": rows})
    refused(path, "到位资金!B2: 日期 2099-01-01 晚于今天", commerce)


# --- keys, references, amounts ---------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "duplicate", "expected"),
    [
        ("单位", [" t01 ", "郴江镇二", "乡镇", ""], "单位!A3: 与第 2 行重复"),
        ("任务", [YEAR, "A01", "实际到位外资", 1300], "任务!B3: 与第 2 行重复"),
        (
            "项目",
            ["2025-NZ-101", "粤商物流二期", "内资", "A01", "", "广东省", "", "签约", "2025-03-02"],
            "项目!A3: 与第 2 行重复",
        ),
        ("到位资金", ["A-2025-001", "2025-05-06", 60, "YH-101", ""], "到位资金!D3: 与第 2 行重复"),
        ("抵押金", [YEAR, "A01", 3000, "2025-04-11", "CZ-2"], "抵押金!B3: 与第 2 行重复"),
    ],
)
def test_a_duplicate_key_within_the_file_is_an_error(
    existing, commerce, xlsx, sheet, duplicate, expected
):
    rows = valid()[sheet]
    rows.append(duplicate)
    path = xlsx("重复.xlsx", {sheet: rows})
    refused(path, expected, commerce)


@pytest.mark.parametrize(
    ("sheet", "column", "expected"),
    [
        ("项目", 3, "项目!D2: 单位编码“ZZ9”不存在"),
        ("任务", 1, "任务!B2: 单位编码“ZZ9”不存在"),
        ("抵押金", 1, "抵押金!B2: 单位编码“ZZ9”不存在"),
    ],
)
def test_an_unknown_unit_code_is_an_error(existing, commerce, xlsx, sheet, column, expected):
    rows = valid()[sheet]
    rows[0][column] = "ZZ9"
    path = xlsx("单位错.xlsx", {sheet: rows})
    refused(path, expected, commerce)


def test_an_unknown_indicator_is_an_error(existing, commerce, xlsx):
    rows = valid()["任务"]
    rows.append([YEAR, "B01", "GDP增速", 5])
    path = xlsx("指标错.xlsx", {"任务": rows})
    refused(path, "任务!C3: 指标“GDP增速”不存在", commerce)


def test_an_indicator_by_code_or_chinese_name(existing, commerce, xlsx):
    path = xlsx(
        "指标.xlsx",
        {"任务": [[YEAR, "B01", "fdi_contract", 200], [YEAR, "B01", "新批外资项目", 2]]},
    )
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    assert result.counts["任务"].created == 2


def test_a_unit_code_of_a_unit_in_the_same_workbook_is_known(existing, commerce, xlsx):
    sheets = valid()
    sheets["任务"].append([YEAR, "T01", "fdi_actual", 300])
    path = xlsx("新单位.xlsx", {"单位": sheets["单位"], "任务": sheets["任务"]})
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    assert Unit.objects.get(code="T01").quotas.get().amount == D("300")


def test_a_foreign_origin_for_a_domestic_project_is_an_error(existing, commerce, xlsx):
    rows = valid()["项目"]
    rows[0][5] = "香港"
    path = xlsx("来源地.xlsx", {"项目": rows})
    refused(path, "项目!F2: 内资项目的来源地“香港”不是省级行政区名称", commerce)


@pytest.mark.parametrize(
    ("sheet", "column", "expected"),
    [
        ("项目", 10, "项目!K2: 金额不能为负数"),
        ("任务", 3, "任务!D2: 任务数不能为负数"),
        ("到位资金", 2, "到位资金!C2: 金额必须大于 0"),
        ("抵押金", 2, "抵押金!C2: 金额必须大于 0"),
    ],
)
def test_a_negative_amount_is_an_error(existing, commerce, xlsx, sheet, column, expected):
    rows = valid()[sheet]
    rows[0][column] = -50
    path = xlsx("负数.xlsx", {sheet: rows})
    refused(path, expected, commerce)


# A slip is a warning, never an error (WORKBOOK.md), in every sheet: 项目 and 到位资金 are
# judged against the unit's quota (tests/workbook/test_import_counting_rules.py), a 任务 row
# against the district's task for the indicator, by the same rule (targets.slips).
def test_a_quota_above_the_district_task_is_a_warning_and_imported(existing, commerce, xlsx):
    rows = [[YEAR, "全区", "fdi_actual", 5000], [YEAR, "A01", "fdi_actual", 50000]]
    path = xlsx("万亿.xlsx", {"任务": rows})
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    assert [str(w) for w in result.warnings] == [
        "任务!D3: 金额 50,000.00万美元 超过全区全年任务 5,000.00万美元，可能是“万/亿”单位填错。"
    ]
    assert Quota.objects.get(unit__code="A01", year__year=YEAR).amount == D("50000")


def test_a_quota_within_the_district_task_or_without_one_is_no_slip(existing, commerce, xlsx):
    path = xlsx("任务.xlsx", {"任务": [[YEAR, "A01", "fdi_actual", 50000]]})
    result = run(path, user=commerce, dry_run=True)
    assert result.ok and not result.warnings, (errors_of(result), result.warnings)
    rows = [[YEAR, "全区", "fdi_actual", 60000], [YEAR, "A01", "fdi_actual", 50000]]
    result = run(xlsx("任务2.xlsx", {"任务": rows}), user=commerce, dry_run=True)
    assert result.ok and not result.warnings, (errors_of(result), result.warnings)


# --- size and shape --------------------------------------------------------------------


def test_fifty_thousand_blank_rows_are_skipped_quickly(existing, commerce, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "到位资金"
    sheet.append([c.header for c in SHEETS["到位资金"]])
    for row in range(2, 50002):
        sheet.cell(row=row, column=1).number_format = "0.00"  # a styled, empty cell
    sheet.append(["A-2025-001", "2025-05-05", 50, "YH-101", "已核实"])
    path = tmp_path / "空行.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b'r="A50001"' in xml and b'r="A50002"' in xml  # the rows are really there
    started = time.monotonic()
    result = run(path, user=commerce)
    elapsed = time.monotonic() - started
    assert result.ok, errors_of(result)
    assert (result.counts["到位资金"].created, result.counts["到位资金"].unchanged) == (1, 0)
    assert Inflow.objects.get(voucher_no="YH-101").amount == D("50")
    assert elapsed < 10, f"{elapsed:.1f} s for 50,000 blank rows"


def test_an_extremely_long_cell_is_an_error(existing, commerce, xlsx):
    rows = valid()["项目"]
    rows[0][1] = "长" * 32767  # Excel's own limit for a cell
    path = xlsx("长.xlsx", {"项目": rows})
    errors = refused(path, "项目!B2: 内容过长（32767 字），最多 200 字", commerce)
    assert all(len(error) < 300 for error in errors)  # the text is not echoed back


def test_a_long_code_is_an_error_with_its_column_limit(existing, commerce, xlsx):
    rows = valid()["单位"]
    rows[0][0] = "T" * 100
    path = xlsx("长编码.xlsx", {"单位": rows})
    refused(path, "单位!A2: 内容过长（100 字），最多 20 字", commerce)


def test_every_error_is_listed_not_only_the_first(existing, commerce, xlsx):
    sheets = valid()
    sheets["项目"][0][2] = "合资"  # C2
    sheets["项目"][0][10] = "很多"  # K2: same row, another cell
    sheets["到位资金"].append(["A-2025-001", "昨天", -1, "YH-102", "已审核"])  # B3 (and more)
    sheets["抵押金"][0][3] = "2025.4.10"  # D2
    path = xlsx("多处.xlsx", sheets)
    refused(
        path,
        "项目!C2: 类型“合资”无效，应为 外资 或 内资",
        commerce,
        also=(
            "项目!K2: “很多”不是数字",
            "到位资金!B3: 日期“昨天”格式不对",
            "抵押金!D2: 日期“2025.4.10”格式不对",
        ),
    )


def test_a_valid_workbook_of_the_same_rows_imports(existing, commerce, xlsx):
    """The counterpart of every test above: the rows they start from are valid."""
    path = xlsx("好.xlsx", valid())
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    assert {name: c.created + c.updated for name, c in result.counts.items()} == {
        "单位": 1,
        "任务": 1,
        "项目": 1,
        "到位资金": 1,
        "抵押金": 1,
    }


# --- the same rules as the forms -------------------------------------------------------


def test_a_count_quota_must_be_whole(existing, commerce, xlsx):
    path = xlsx("个数.xlsx", {"任务": [[YEAR, "A01", "foreign_projects", 2.5]]})
    refused(path, "任务!D2: 项目个数应为整数", commerce)


def test_a_required_cell_left_blank_is_an_error(existing, commerce, xlsx):
    rows = valid()["到位资金"]
    rows.append(["A-2025-001", "2025-05-06", 60, None, "待核实"])
    path = xlsx("空格.xlsx", {"到位资金": rows})
    refused(path, "到位资金!D3: “凭证号”不能为空", commerce)


def test_a_signed_project_without_a_signing_date_is_an_error(existing, commerce, xlsx):
    rows = valid()["项目"]
    rows[0][8] = None
    path = xlsx("无签约日.xlsx", {"项目": rows})
    refused(path, "项目!I2: 项目已到“签约”阶段，必须填写签约日期", commerce)


def test_money_before_the_signing_date_is_an_error(existing, commerce, xlsx):
    sheets = valid()
    sheets["到位资金"].append(["2025-NZ-101", "2025-02-01", 10, "YH-102", ""])  # signed 3-01
    path = xlsx("早到.xlsx", {"项目": sheets["项目"], "到位资金": sheets["到位资金"]})
    refused(path, "到位资金!B3: 到位日期 2025-02-01 早于项目签约日期 2025-03-01", commerce)


def test_a_deposit_of_a_unit_without_a_quota_is_an_error(existing, commerce, xlsx):
    path = xlsx("无任务.xlsx", {"抵押金": [[YEAR, "B01", 3000, "2025-04-10", "CZ-9"]]})
    refused(path, "抵押金!B2: 乙镇 2025 年没有任务，不需要缴纳抵押金", commerce)


def test_an_invalid_choice_is_an_error(existing, commerce, xlsx):
    rows = valid()["项目"]
    rows[0][7] = "在建"
    path = xlsx("阶段.xlsx", {"项目": rows})
    refused(path, "项目!H2: 阶段“在建”无效，应为 意向/洽谈/签约/开工/投产/终止", commerce)


def test_sheets_apply_in_the_contract_order_whatever_their_order_in_the_file(
    existing, commerce, tmp_path
):
    sheets = valid()
    sheets["任务"].append([YEAR, "T01", "fdi_actual", 300])
    sheets["抵押金"].append([YEAR, "T01", 3000, "2025-04-11", "CZ-2"])
    sheets["到位资金"].append(["2025-NZ-101", "2025-05-06", 60, "YH-102", ""])
    book = Workbook()
    book.remove(book.active)
    for name in ["抵押金", "到位资金", "项目", "任务", "单位"]:  # back to front
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in SHEETS[name]])
        for row in sheets[name]:
            sheet.append(row)
    path = tmp_path / "倒序.xlsx"
    book.save(path)
    result = run(path, user=commerce)
    assert result.ok, errors_of(result)
    assert Unit.objects.get(code="T01").deposits.get().amount == D("3000")
    assert Inflow.objects.get(voucher_no="YH-102").project.code == "2025-NZ-101"


def test_a_year_is_created_with_its_defaults_on_first_use(existing, commerce, xlsx):
    from targets.models import AssessmentYear

    assert not AssessmentYear.objects.filter(year=2024).exists()
    path = xlsx("去年.xlsx", {"任务": [[2024, "A01", "fdi_actual", 800]]})
    assert run(path, user=commerce).ok
    year = AssessmentYear.objects.get(year=2024)
    assert year.deposit_amount == D("3000.00")
    assert year.deposit_due_date == dt.date(2024, 4, 15)
    assert year.home_province == "湖南省"


def test_a_year_out_of_range_is_an_error(existing, commerce, xlsx):
    path = xlsx("年度.xlsx", {"任务": [[1900, "A01", "fdi_actual", 800]]})
    refused(path, "任务!A2: 年度 1900 无效", commerce)
