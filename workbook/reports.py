"""What the user downloads: the error report (their workbook with each wrong cell marked)
and the empty templates with drop-down lists and a 说明 sheet."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common.xlsx import append_row
from common.xlsx_reader import NOTES_SHEET, WorkbookError, check_file
from projects.models import CHOSEN_STAGES
from targets.models import CapitalType, Indicator
from targets.reported import is_reported as _is_reported
from units.models import Unit, UnitCategory, UnitKind
from workbook.sheets import (
    ADJUSTMENTS,
    DEPOSITS,
    EXAMPLES,
    INDICATORS,
    INFLOWS,
    PROJECTS,
    QUOTAS,
    REPORTED,
    SCHEME,
    SHEETS,
    UNITS,
)

# The marked copy of an uploaded workbook is made in openpyxl's full mode: only up to this.
ERROR_REPORT_MAX_MB = 30
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def error_report(path: Path, errors: list[dict]) -> bytes:
    """The uploaded workbook with every wrong cell filled red and its message as a comment;
    errors that belong to no cell are listed on an extra sheet.

    openpyxl's full (editable) mode holds every cell in memory, many times the file's
    unpacked size: a workbook that unpacks to more than ERROR_REPORT_MAX_MB gets no marked
    copy (WorkbookError; its errors are on the preview page all the same)."""
    check_file(path)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > ERROR_REPORT_MAX_MB * 1024 * 1024:
        raise WorkbookError(_("文件较大，无法生成标注错误的工作簿；每一处错误已在页面列出。"))
    book = load_workbook(path)
    loose = []
    for error in errors:
        sheet, cell, message = error["sheet"], error["cell"], error["message"]
        if sheet in book.sheetnames and cell:
            target = book[sheet][cell]
            target.fill = ERROR_FILL
            text = message if target.comment is None else f"{target.comment.text}\n{message}"
            target.comment = Comment(text, "招商引资系统")
        else:
            loose.append(error)
    summary = book.create_sheet("错误汇总", 0)
    summary.append(["工作表", "单元格", "错误"])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for error in errors:
        append_row(summary, [error["sheet"], error["cell"], error["message"]])
    summary.column_dimensions["C"].width = 80
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


AMOUNT_COLUMNS = {
    "任务数", "合同金额", "注册资本", "总投资", "金额", "完成数", "权重", "封顶", "分值",
}  # fmt: skip
DATE_COLUMNS = {"签约日期", "批准日期", "到位日期", "缴纳日期"}


def _choices() -> dict[str, list[str]]:
    return {
        "单位类型": [str(label) for _v, label in UnitKind.choices],
        "类别": [str(label) for v, label in UnitCategory.choices if v],
        "类型": [str(label) for _v, label in CapitalType.choices],
        "阶段": [str(stage.label) for stage in CHOSEN_STAGES],
        "园区项目": ["是", "否"],
        "计入抵押金": ["是", "否"],
        "核实状态": ["已核实", "待核实"],
        "指标": list(Indicator.objects.order_by("display_order").values_list("code", flat=True)),
        "单位编码": list(Unit.objects.filter(is_active=True).values_list("code", flat=True)),
    }


NOTES = {
    PROJECTS: "外资项目的合同金额以万美元计，内资以万元计；注册资本、总投资以万元计。",
    INFLOWS: "金额：外资项目为万美元，内资项目为万元。同一项目的凭证号不能重复。",
    DEPOSITS: "金额以元计。",
    QUOTAS: "单位编码填“全区”表示市下达给全区的任务。指标填编码或中文名称。",
    UNITS: "单位类型：乡镇/街道/园区/区直单位；类别可留空。",
    INDICATORS: "报送指标：指标编码用小写字母、数字和下划线；计量单位如 平方米、亿元、个。"
    "五个内置指标不能修改。",
    SCHEME: "指标填编码或中文名称；权重大于 0；封顶为百分数，留空为 120；计入抵押金填 是/否，"
    "留空为 是。已结算年度的考核方案不能修改。",
    REPORTED: "每个单位每月每个报送指标一行；完成数是当月数（不是累计数）；月末之后才能报送。"
    "只有商务局可以导入“已核实”。",
    ADJUSTMENTS: "分值为正数是加分，负数是扣分；同一单位同一年度的事由不能重复。",
}


def template(sheet_name: str) -> bytes:
    """An empty sheet (the header only: no data rows) with drop-down lists and formats, and a
    说明 sheet with the notes, one example row and the allowed values the lists take. Import
    skips 说明 without a warning (WORKBOOK.md), so the template as downloaded imports nothing."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    columns = SHEETS[sheet_name]
    notes = book.create_sheet(NOTES_SHEET)
    choices = _choices()
    if sheet_name == QUOTAS:
        choices["单位编码"] = ["全区", *choices["单位编码"]]
    if sheet_name == UNITS:
        choices.pop("单位编码")  # new units are typed, not picked
    if sheet_name == REPORTED:
        choices["指标"] = [i.code for i in Indicator.objects.all() if _is_reported(i)]
    _template_header(sheet, columns)
    _template_notes(notes, sheet_name, columns)
    list_column = 0
    for index, column in enumerate(columns, start=1):
        options = choices.get(column.header)
        if options:
            list_column += 1
            _template_list(sheet, notes, index, column, list_column, options)
        _template_format(sheet, get_column_letter(index), column)
    for index in range(1, max(len(columns), list_column) + 1):
        notes.column_dimensions[get_column_letter(index)].width = 14
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _template_header(sheet, columns) -> None:
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 3)


LIST_HEADER_ROW = 10  # the allowed values start here on the 说明 sheet


def _template_notes(notes, sheet_name: str, columns) -> None:
    notes.append([f"{sheet_name} 模板说明"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append([NOTES[sheet_name]])
    notes.append(
        [
            f"本工作表只作说明，导入时跳过。请在“{sheet_name}”工作表第 2 行起填写数据，"
            "红色表头为必填列；下面的示例行不会导入，请勿照抄。"
        ]
    )
    notes.append([])
    notes.append(["示例"])
    notes.cell(row=5, column=1).font = Font(bold=True)
    notes.append([c.header for c in columns])
    notes.append(EXAMPLES[sheet_name])
    for cell in notes[6]:
        cell.fill = HEADER_FILL
    notes.append([])
    notes.append(["可选值（下拉列表取自这里）"])
    notes.cell(row=9, column=1).font = Font(bold=True)


def _template_list(sheet, notes, index: int, column, list_column: int, options) -> None:
    """The column's allowed values on the 说明 sheet, and a drop-down list that takes them."""
    letter, list_letter = get_column_letter(index), get_column_letter(list_column)
    header = notes.cell(row=LIST_HEADER_ROW, column=list_column, value=column.header)
    header.fill = HEADER_FILL
    first = LIST_HEADER_ROW + 1
    for row, option in enumerate(options, start=first):
        notes.cell(row=row, column=list_column, value=option)
    last = first + len(options) - 1
    validation = DataValidation(
        type="list",
        formula1=f"='{NOTES_SHEET}'!${list_letter}${first}:${list_letter}${last}",
        allow_blank=not column.required,
        showErrorMessage=True,
        errorTitle="取值无效",
        error=f"请从下拉列表中选择{column.header}",
    )
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}5000")


def _template_format(sheet, letter: str, column) -> None:
    if column.header in AMOUNT_COLUMNS:
        number_format = "#,##0.00"
    elif column.header in DATE_COLUMNS:
        number_format = "yyyy-mm-dd"
    else:
        return
    for row in range(2, 5001):
        sheet[f"{letter}{row}"].number_format = number_format


TEMPLATE_KEYS = {
    "units": UNITS,
    "indicators": INDICATORS,
    "scheme": SCHEME,
    "quotas": QUOTAS,
    "projects": PROJECTS,
    "inflows": INFLOWS,
    "reported": REPORTED,
    "adjustments": ADJUSTMENTS,
    "deposits": DEPOSITS,
}
