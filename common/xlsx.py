"""The one Excel writer: every export goes through ``xlsx_response`` / ``write_sheet``
(or ``append_row`` for a workbook opened in normal mode).

openpyxl's write-only mode streams rows, so memory does not grow with the export.

Text that a spreadsheet would run (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, WORKBOOK.md) is written as a text cell with Excel's quote prefix, never as a
formula; numbers stay numbers. The CSV twin is ``common.csvout``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.downloads import download_response

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)


# --- how many rows an export wrote (the audit log records it with the file name) -----------


class RowTally:
    """Data rows written by the Excel writer while counting (None: no sheet written)."""

    count: int | None = None


_tally: ContextVar[RowTally | None] = ContextVar("xlsx_row_tally", default=None)


@contextmanager
def counting_rows() -> Iterator[RowTally]:
    """Count the data rows every sheet written inside the block holds (audit's middleware
    wraps each request in it; common knows nothing of the audit log)."""
    tally = RowTally()
    token = _tally.set(tally)
    try:
        yield tally
    finally:
        _tally.reset(token)


def _count_rows(number: int) -> None:
    tally = _tally.get()
    if tally is not None:
        tally.count = (tally.count or 0) + number


# What makes Excel, LibreOffice or WPS read a typed or imported text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_formula_like(value) -> bool:
    """Text a spreadsheet could run as a formula: it begins with one of FORMULA_TRIGGERS and
    is not simply a number written out (``-8.34`` is a number, ``-1+2`` is not)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and _PLAIN_NUMBER.fullmatch(value) is None
    )


def as_text(cell: Cell) -> Cell:
    """Make a cell holding formula-like text a plain text cell (shown with Excel's quote
    prefix, as when someone types ``'=…``); any other cell is left as it is."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def text_safe_cell(sheet, value) -> Cell | object:
    """The value to append to a write-only sheet: a text cell for formula-like text."""
    if is_formula_like(value):
        return as_text(WriteOnlyCell(sheet, value=value))
    return value


def append_row(sheet, values: Sequence) -> None:
    """``sheet.append`` for a workbook opened in normal (not write-only) mode, with
    formula-like text written as text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        as_text(cell)
    _count_rows(1)


def _width_of(value) -> int:
    """About how many Latin characters wide the value shows (as formatted in the cell)."""
    value = _excel_value(value)
    if isinstance(value, Decimal):
        text = f"{value:,.2f}"
    elif isinstance(value, dt.datetime):
        text = "2026-01-01 00:00"
    elif isinstance(value, dt.date):
        text = "2026-01-01"
    else:
        text = str(value) if value is not None else ""
    # A CJK character is about two Latin characters wide in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# Number formats: amounts with thousands separators and two decimals, counts as integers.
AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# django-tables2's as_values() hands booleans and moments over as text ("False",
# "2026-11-30 04:55:03.558897+00:00"): turned back into 是/否 and a local time.
_BOOLEAN_TEXT = {"True": "是", "False": "否"}
_MOMENT_TEXT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{2}:\d{2}")


def _excel_value(value):
    if isinstance(value, str):
        if value in _BOOLEAN_TEXT:
            return _BOOLEAN_TEXT[value]
        if _MOMENT_TEXT.fullmatch(value):
            value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(second=0, microsecond=0)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _default_format(value) -> str | None:
    """The cell format a value gets unless the caller names one: amounts (Decimal) as
    1,234.50, dates and moments in the one date style; integers stay General (a year or a
    count prints as 2026 or 3 either way)."""
    if isinstance(value, Decimal):
        return AMOUNT_FORMAT
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    return None


def title_of_sheet(text: str) -> str:
    """Excel forbids some characters in sheet names and allows 31 characters."""
    for ch in "[]:*?/\\":
        text = text.replace(ch, "-")
    return text[:31]


def _fit_to_page(sheet, *, titled: bool, landscape: bool) -> None:
    """Printable as it is: the columns fit one page wide, the header row repeats."""
    sheet.freeze_panes = "A3" if titled else "A2"
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "2:2" if titled else "1:1"


def _fit_widths(sheet, headers: Sequence[str], rows: list[Sequence]) -> None:
    """Column widths fitted to the header and the first rows. A long header wraps (its
    cells are wrap_text): it need not set the column's width."""
    widths = [min(_width_of(h) + 2, 24) for h in headers]
    for row in rows[:200]:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], min(_width_of(value) + 2, 50))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(width, 6)


def _data_cell(sheet, value, number_format: str | None):
    """One value of a data row: a formatted cell for amounts and dates (the caller's
    format, else the value's default), text kept text."""
    value = _excel_value(value)
    number_format = number_format or _default_format(value)
    if not number_format:
        return text_safe_cell(sheet, value)
    cell = as_text(WriteOnlyCell(sheet, value=value))
    cell.number_format = number_format
    return cell


def write_sheet(
    workbook: Workbook,
    sheet_title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    number_formats: dict[int, str] | None = None,
    title: str | None = None,
    landscape: bool = False,
) -> None:
    """Append a sheet with a bold, frozen header row and widths fitted to the first rows.

    With ``title`` a title line comes first and the header is on row 2.
    """
    sheet = workbook.create_sheet(title=title_of_sheet(sheet_title))
    _fit_to_page(sheet, titled=bool(title), landscape=landscape)
    rows = list(rows) if not isinstance(rows, list) else rows
    _fit_widths(sheet, headers, rows)
    if title:
        title_cell = as_text(WriteOnlyCell(sheet, value=title))
        title_cell.font = Font(bold=True, size=14)
        sheet.append([title_cell])
    header_cells = []
    for header in headers:
        cell = as_text(WriteOnlyCell(sheet, value=header))
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        header_cells.append(cell)
    sheet.append(header_cells)
    formats = number_formats or {}
    for row in rows:
        sheet.append(
            [_data_cell(sheet, value, formats.get(index)) for index, value in enumerate(row)]
        )
    _count_rows(len(rows))


def workbook_bytes(workbook: Workbook) -> bytes:
    """The saved ``.xlsx`` file of ``workbook``."""
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_bytes(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence], **options):
    """A workbook of one sheet (``write_sheet``'s options), saved."""
    workbook = Workbook(write_only=True)
    write_sheet(workbook, sheet_title, headers, rows, **options)
    return workbook_bytes(workbook)


def table_bytes(table, sheet_title: str, *, cap: int | None = None) -> bytes:
    """The one table → xlsx path: a django-tables2 table's columns and rows as they are
    exported (``as_values``, without the table's ``export_exclude`` columns), one sheet.
    With ``cap``, a table holding more rows than that (the caller fetched one more) is cut
    there and a last row says so."""
    values = table.as_values(exclude_columns=getattr(table, "export_exclude", ()))
    headers = [str(h) for h in next(values)]
    rows = list(values)
    if cap is not None and len(rows) > cap:
        note = _("仅导出前 %(n)s 条；请用筛选条件缩小范围后分批导出。") % {"n": f"{cap:,}"}
        rows = [*rows[:cap], [note]]
        _count_rows(-1)  # the note is not a data row
    return sheet_bytes(sheet_title, headers, rows)


def xlsx_response(
    filename: str, content: bytes | Workbook, *, ascii_name: str = ""
) -> HttpResponse:
    """An HTTP download of an ``.xlsx`` file (its bytes, or a workbook to save) named
    ``filename`` (Chinese names allowed, RFC 5987), with ``ascii_name`` as the fallback."""
    if isinstance(content, Workbook):
        content = workbook_bytes(content)
    return download_response(content, filename, XLSX_CONTENT_TYPE, ascii_name=ascii_name)


def export_filename(stem: str, stamp: object = None, suffix: str = "xlsx") -> str:
    """``项目台账-2026-11-30.xlsx``: the stem, an optional date or year, the suffix; without
    the characters a file system refuses, and an en dash written as a hyphen."""
    name = str(stem) if stamp is None else f"{stem}-{stamp}"
    for ch in '/\\:*?"<>|':
        name = name.replace(ch, "-")
    return f"{name.replace('–', '-').strip()}.{suffix}"
