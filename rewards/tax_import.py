"""Reading the finance office's tax sheet: the first sheet of an .xlsx file whose first row
names the columns 项目编号, 年度, 地方留成税收（万元）, in any order.

Reading only: every row comes back with the problems found in it (as text), and
``services.tax_records_import`` checks the rest and writes all or nothing.
"""

from __future__ import annotations

import unicodedata
import zipfile
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from rewards.services import TaxImportError, TaxRow

COLUMNS = {"项目编号": "code", "年度": "year", "地方留成税收(万元)": "amount"}


def _header(value) -> str:
    # 全角括号 = 半角括号, spaces ignored: "地方留成税收（万元）" and "地方留成税收 (万元)" match.
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def _year(value) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    text = str(value).strip().removesuffix("年")
    if not text.isdigit():
        raise ValueError
    return int(text)


def _amount(value) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    # A float from Excel goes through its shortest text form, never through binary digits.
    text = str(value).strip().replace(",", "").replace("，", "")
    amount = Decimal(text)
    if not amount.is_finite():
        raise InvalidOperation
    return amount


def _code(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric code typed into Excel
    return str(value).strip()


def read_tax_rows(upload) -> list[TaxRow]:
    """The rows of the sheet, each with its line number; raises TaxImportError when the
    file itself is unusable (not an .xlsx, or a required column missing)."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TaxImportError([_("文件不是有效的 Excel（.xlsx）工作簿。")]) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_header(h) for h in next(rows, ())]
        positions = {key: header.index(col) for col, key in COLUMNS.items() if col in header}
        missing = [col for col, key in COLUMNS.items() if key not in positions]
        if missing:
            raise TaxImportError(
                [
                    _("第 1 行：缺少必填列 %(cols)s。")
                    % {"cols": "、".join(c.replace("(万元)", "（万元）") for c in missing)}
                ]
            )
        return [row for row in _rows(rows, positions) if row is not None]
    finally:
        workbook.close()


def _rows(rows, positions):
    for line, values in enumerate(rows, start=2):
        cells = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            yield None  # blank rows are skipped
            continue
        problems = []
        code = _code(cells["code"]) if cells["code"] is not None else ""
        if not code:
            problems.append(_("项目编号不能为空"))
        year = None
        try:
            year = _year(cells["year"])
        except (ValueError, TypeError):
            problems.append(_("年度“%(v)s”不是四位数的年份") % {"v": cells["year"] or ""})
        amount = None
        try:
            amount = _amount(cells["amount"])
        except (InvalidOperation, ValueError, TypeError):
            problems.append(
                _("地方留成税收“%(v)s”不是数字")
                % {"v": cells["amount"] if cells["amount"] is not None else ""}
            )
        yield TaxRow(line=line, code=code, year=year, amount=amount, problems=tuple(problems))
