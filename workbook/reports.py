"""What the user downloads: the error report (their workbook with each wrong cell marked)
and the empty templates with drop-down lists."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from projects.models import CHOSEN_STAGES
from targets.models import CapitalType, Indicator
from units.models import Unit, UnitCategory, UnitKind
from workbook.sheets import DEPOSITS, EXAMPLES, INFLOWS, PROJECTS, QUOTAS, SHEETS, UNITS

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def error_report(path: Path, errors: list[dict]) -> bytes:
    """The uploaded workbook with every wrong cell filled red and its message as a comment;
    errors that belong to no cell are listed on an extra sheet."""
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
        summary.append([error["sheet"], error["cell"], error["message"]])
    summary.column_dimensions["C"].width = 80
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


AMOUNT_COLUMNS = {"任务数", "合同金额", "注册资本", "总投资", "金额"}
DATE_COLUMNS = {"签约日期", "批准日期", "到位日期", "缴纳日期"}


def _choices() -> dict[str, list[str]]:
    return {
        "单位类型": [str(label) for _v, label in UnitKind.choices],
        "类别": [str(label) for v, label in UnitCategory.choices if v],
        "类型": [str(label) for _v, label in CapitalType.choices],
        "阶段": [str(stage.label) for stage in CHOSEN_STAGES],
        "园区项目": ["是", "否"],
        "核实状态": ["已核实", "待核实"],
        "指标": list(Indicator.objects.order_by("display_order").values_list("code", flat=True)),
        "单位编码": list(Unit.objects.filter(is_active=True).values_list("code", flat=True)),
    }


def template(sheet_name: str) -> bytes:
    """An empty sheet with the header, drop-down lists, formats and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    columns = SHEETS[sheet_name]
    lists = book.create_sheet("选项")
    lists.sheet_state = "hidden"
    choices = _choices()
    if sheet_name == QUOTAS:
        choices["单位编码"] = ["全区", *choices["单位编码"]]
    if sheet_name == UNITS:
        choices.pop("单位编码")  # new units are typed, not picked
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 3)
    sheet.append(EXAMPLES[sheet_name])
    list_column = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        options = choices.get(column.header)
        if options:
            list_column += 1
            list_letter = get_column_letter(list_column)
            for row, option in enumerate(options, start=1):
                lists.cell(row=row, column=list_column, value=option)
            validation = DataValidation(
                type="list",
                formula1=f"=选项!${list_letter}$1:${list_letter}${len(options)}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="取值无效",
                error=f"请从下拉列表中选择{column.header}",
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}5000")
        if column.header in AMOUNT_COLUMNS:
            for row in range(2, 5001):
                sheet[f"{letter}{row}"].number_format = "#,##0.00"
        elif column.header in DATE_COLUMNS:
            for row in range(2, 5001):
                sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    notes = {
        PROJECTS: "必填列为红色表头。外资项目的合同金额以万美元计，内资以万元计；"
        "注册资本、总投资以万元计。",
        INFLOWS: "金额：外资项目为万美元，内资项目为万元。同一项目的凭证号不能重复。",
        DEPOSITS: "金额以元计。",
        QUOTAS: "单位编码填“全区”表示市下达给全区的任务。指标填编码或中文名称。",
        UNITS: "单位类型：乡镇/街道/园区/区直单位；类别可留空。",
    }
    sheet.cell(row=1, column=len(columns) + 2, value=notes[sheet_name]).font = Font(italic=True)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TEMPLATE_KEYS = {
    "units": UNITS,
    "quotas": QUOTAS,
    "projects": PROJECTS,
    "inflows": INFLOWS,
    "deposits": DEPOSITS,
}
