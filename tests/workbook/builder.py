"""Build workbooks for the import tests."""

from pathlib import Path

from openpyxl import Workbook

from workbook.sheets import SHEETS


def build(path: Path, sheets: dict[str, list[list]], headers: dict[str, list[str]] | None = None):
    """``sheets``: sheet name → data rows; the header row is the contract's unless given."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        header = (headers or {}).get(name) or [c.header for c in SHEETS[name]]
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path
