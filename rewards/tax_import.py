"""Reading the finance office's tax sheet: the first sheet of an .xlsx file whose first row
names the columns 项目编号, 年度, 地方留成税收（万元）, in any order.

Reading only: every row comes back with the problems found in it (as text), and
``services.tax_records_import`` checks the rest and writes all or nothing.
"""

from __future__ import annotations

import logging
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from common.xlsx_reader import WorkbookError, open_workbook
from rewards.services import TaxImportError, TaxRow

logger = logging.getLogger(__name__)

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
    file itself is unusable (refused by the one workbook reader: not an .xlsx, a bomb, a DTD;
    or a required column missing). Whatever else goes wrong while reading is one message
    too, never a server error."""
    source = getattr(upload, "file", upload)
    try:
        workbook = open_workbook(source, data_only=True)
    except WorkbookError as exc:
        raise TaxImportError([str(exc)]) from exc
    try:
        # (the reader's sheets have their claimed <dimension> dropped: every row is read)
        sheets = workbook.worksheets
        rows = sheets[0].iter_rows(values_only=True) if sheets else iter(())
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
    except TaxImportError:
        raise
    except Exception as exc:
        logger.exception("tax sheet %s could not be read", getattr(upload, "name", ""))
        raise TaxImportError(
            [_("文件无法读取，未导入任何数据。请在 Excel 中打开后另存为 .xlsx 再上传。")]
        ) from exc
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
