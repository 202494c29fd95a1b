"""Opening an uploaded workbook safely and reading its sheets row by row (read-only mode,
so memory does not grow with the file)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Chinese."""


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
        # With data_only=False, read-only openpyxl gives a formula as its text: "=SUM(...)".
        return isinstance(self.value, str) and len(self.value) > 1 and self.value[0] == "="


def check_file(path: Path) -> None:
    """Refuse what is not an .xlsx before openpyxl sees it, with a precise reason."""
    size = path.stat().st_size
    limit = settings.WORKBOOK_MAX_MB
    if size > limit * 1024 * 1024:
        raise WorkbookError(f"文件太大（{size / 1024 / 1024:.1f} MB），上限为 {limit} MB。")
    if size == 0:
        raise WorkbookError("文件是空的。")
    with path.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(OLE_MAGIC):
            handle.seek(0)
            blob = handle.read(min(size, 4 * 1024 * 1024))
            if "EncryptionInfo".encode("utf-16-le") in blob or b"EncryptionInfo" in blob:
                raise WorkbookError("文件设置了打开密码，请在 Excel 中去掉密码后再上传。")
            raise WorkbookError(
                "这是旧版 Excel（.xls）文件，请在 Excel 中“另存为 Excel 工作簿（.xlsx）”后再上传。"
            )
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK"):
            raise WorkbookError("文件已损坏（不完整），无法读取，请重新保存后再上传。")
        raise WorkbookError("不是有效的 Excel 工作簿（.xlsx）：可能是改了扩展名的 CSV 或其他文件。")
    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise WorkbookError("不是有效的 Excel 工作簿（.xlsx）。")
            bad = archive.testzip()
            if bad is not None:
                raise WorkbookError("文件已损坏，无法读取。")
    except zipfile.BadZipFile as exc:
        raise WorkbookError("文件已损坏，无法读取。") from exc


def open_workbook(path: Path):
    check_file(path)
    try:
        return load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise WorkbookError("文件已损坏或格式不对，无法读取。") from exc


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
    """
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        for value in row:
            if value is not None and not (isinstance(value, str) and not value.strip()):
                yield number, row
                break
