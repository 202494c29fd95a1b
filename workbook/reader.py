"""Reading the district workbook: the safe opening is common/xlsx_reader.py (the one reader
for every uploaded workbook); here are the workbook importer's helpers on top of it: cells
with their coordinates, merged header cells, and the non-blank rows of a sheet."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from openpyxl.utils import get_column_letter

from common.xlsx_reader import (  # noqa: F401  (the importer's names for them)
    NOTES_SHEET,
    ChildReader,
    Workbook,
    WorkbookError,
    check_file,
    open_workbook,
)


class Cell:
    """A cell's value and where it is; the coordinate is worked out only when needed."""

    __slots__ = ("column", "row", "value")

    def __init__(self, value, row: int, column: int):
        self.value, self.row, self.column = value, row, column

    @property
    def coordinate(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"

    @property
    def is_formula(self) -> bool:
        # With data_only=False the reader (as read-only openpyxl) gives a formula as its text:
        # "=SUM(...)".
        return isinstance(self.value, str) and len(self.value) > 1 and self.value[0] == "="


def merged_header_ranges(path: Path, sheet_title: str) -> list[str]:
    """Merged ranges that touch row 1 of a sheet. Read-only mode hides merges, so this
    reads the <mergeCell> elements of the sheet's XML, which come after the data."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        rel_id = None
        for match in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", book):
            tag = match.group(0)
            name = re.search(r'name="([^"]*)"', tag)
            if name and _unescape(name.group(1)) == sheet_title:
                rid = re.search(r'r:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
                rel_id = rid.group(1) if rid else None
        if rel_id is None:
            return []
        target = None
        for match in re.finditer(r"<Relationship\b[^>]*>", rels):
            tag = match.group(0)
            if f'Id="{rel_id}"' in tag:
                found = re.search(r'Target="([^"]*)"', tag)
                target = found.group(1) if found else None
        if not target:
            return []
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        ranges = []
        tail = b""
        with archive.open(member) as handle:
            while chunk := handle.read(1 << 20):
                text = tail + chunk
                for ref in re.findall(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"', text):
                    ref = ref.decode()
                    start_row = int(re.sub(r"[A-Z]+", "", ref.split(":")[0]))
                    if start_row == 1 and ref not in ranges:
                        ranges.append(ref)
                tail = text[-200:]
        return ranges


def _unescape(text: str) -> str:
    return (
        text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    )


def iter_rows(sheet) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for every row that is not blank; row 1 included.

    values_only keeps this close to a bare read: no cell objects are made for the rows.
    The sheet's ``<dimension>`` is dropped first: it is a claim of the file, not its cells.
    """
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        for value in row:
            if value is not None and not (isinstance(value, str) and not value.strip()):
                yield number, row
                break


@contextmanager
def sheet_rows(path: Path) -> Iterator[Callable[..., Iterator[tuple[int, tuple]]]]:
    """``iter_rows`` for the sheets of one file, read by a child process on another core
    (common.xlsx_reader.ChildReader) when the file has at least
    ``WORKBOOK_READ_IN_CHILD_KB`` on disk, and here otherwise: the child costs about a
    second to start, which a small file does not repay. Enter it before the file is
    checked and opened: the child starts meanwhile. Hence the file's size, known before
    the check, rather than its sheets' (the zip directory is read by the check)."""
    if path.stat().st_size < settings.WORKBOOK_READ_IN_CHILD_KB * 1024:
        yield iter_rows
        return
    with ChildReader(path, iter_rows) as child:
        yield lambda sheet: child.rows(sheet.title)
