"""A large workbook's rows are parsed by a child process (workbook/reader.py: sheet_rows): the
import's result is the one it has when this process reads them, row for row and message for
message, on workbooks with shared and inline strings, dates, formulas, blank rows and errors
in the middle of a sheet; a reading failure is raised at the same point; and no process
outlives the import, however it ends. The threshold is forced to 0 here; the rest of the
suite reads in-process (its files are small)."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.workbook.conftest import FULL_YEAR_ROWS, YEAR, full_year_sheets, run
from workbook import importer
from workbook.reader import iter_rows, sheet_rows

pytestmark = pytest.mark.django_db

IN_PROCESS = 10**9  # KB: no file is this large


def no_child_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "xlsx-reader"]


def both_ways(settings, path: Path, **options):
    """The import's result read here, then read by a child: (here, child)."""
    settings.WORKBOOK_READ_IN_CHILD_KB = IN_PROCESS
    here = run(path, **options)
    settings.WORKBOOK_READ_IN_CHILD_KB = 0
    child = run(path, **options)
    assert no_child_left()
    return here, child


def with_shared_strings(path: Path) -> Path:
    """The workbook as Excel saves it: its texts in a shared-string table (openpyxl writes
    them inline)."""
    strings: list[str] = []

    def shared(match) -> str:
        strings.append(match.group(1))
        return f't="s"><v>{len(strings) - 1}</v></c>'

    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            text = source.read(info).decode()
            if info.filename.startswith("xl/worksheets/"):
                text = re.sub(r't="inlineStr"><is><t[^>]*>([^<]*)</t></is></c>', shared, text)
            elif info.filename == "[Content_Types].xml":
                text = text.replace(
                    "</Types>",
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                    'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                text = text.replace(
                    "</Relationships>",
                    '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"'
                    "/></Relationships>",
                )
            archive.writestr(info, text)
        items = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>',
        )
    shared_path = path.with_name("shared-" + path.name)
    shared_path.write_bytes(buffer.getvalue())
    return shared_path


def many_inflows() -> dict[str, list[list]]:
    """The full year with 2,600 more 到位资金 rows (past the importer's chunks and the
    child's batches): blank rows, Excel dates and texts, a formula, and bad cells at rows
    101, 1,501, 2,101 and 2,201."""
    sheets = full_year_sheets()
    codes = ["2025-WZ-001", "2025-NZ-001", "2025-NZ-002"]
    rows = sheets["到位资金"]
    for n in range(2600):
        day = dt.datetime(YEAR, 5, 1 + n % 28) if n % 2 else f"{YEAR}-06-{1 + n % 28:02d}"
        rows.append([codes[n % 3], day, 0.5, f"PL-{n:05d}", "待核实"])
    # rows[i] is the sheet's row i + 2
    rows[99] = ["2025-WZ-001", "2025-13-01", 1, "PL-BAD-DATE", "待核实"]
    rows[1499] = ["2025-WZ-001", "2025-05-01", "=B2*2", "PL-FORMULA", "待核实"]
    rows[2099] = ["2025-XX-999", "2025-05-01", 1, "PL-NO-PROJECT", "待核实"]
    rows[2199] = list(rows[2198])  # the same 凭证号 again
    rows[700] = []  # blank rows
    rows[701] = [None, "  ", None, None, None]
    return sheets


def test_a_large_workbook_imports_as_when_read_here(settings, xlsx):
    path = xlsx("大表.xlsx", many_inflows())
    for workbook in (path, with_shared_strings(path)):
        here, child = both_ways(settings, workbook, dry_run=True)
        assert child == here
        cells = {problem.cell for problem in here.errors if problem.sheet == "到位资金"}
        assert {"B101", "C1501", "A2101", "D2201"} <= cells, here.errors
        assert here.counts["到位资金"].created == 5 + 2600 - 4 - 2


def test_a_workbook_read_by_a_child_is_written(settings, full_year):
    settings.WORKBOOK_READ_IN_CHILD_KB = 0
    result = run(full_year)
    assert result.written, result.errors
    assert {name: counts.created for name, counts in result.counts.items()} == FULL_YEAR_ROWS
    assert no_child_left()


def test_a_reading_failure_in_the_middle_of_a_sheet_is_raised_as_here(settings, xlsx, tmp_path):
    """A row number that is not a number, at row 2,300 of 到位资金: the same exception, after
    the same chunks, and the command line's same refusal."""
    path = xlsx("大表.xlsx", many_inflows())
    broken = tmp_path / "坏行号.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info).replace(b'<row r="2300"', b'<row r="x2300"'))
    failures = []
    for kb in (IN_PROCESS, 0):
        settings.WORKBOOK_READ_IN_CHILD_KB = kb
        with pytest.raises(ValueError) as raised:
            run(broken)
        with pytest.raises(CommandError) as refused:
            call_command("import_workbook", str(broken), stdout=io.StringIO())
        failures.append((type(raised.value), str(raised.value), str(refused.value)))
        assert no_child_left()
    assert failures[0] == failures[1]
    assert failures[0][:2] == (ValueError, "could not convert string to float: 'x2300'")


def test_sheets_the_importer_gives_up_on_stop_their_child(settings, xlsx, tmp_path):
    """项目's header is merged (no row is read), 到位资金's first row is blank (one row is
    read, then the sheet is given up), 抵押金 is read after them (by a new child)."""
    sheets = full_year_sheets()
    path = xlsx("放弃.xlsx", sheets, headers={"到位资金": [None] * 5})
    book = load_workbook(path)
    book["项目"].merge_cells("A1:B1")
    book.save(path)
    here, child = both_ways(settings, path, dry_run=True)
    assert child == here
    assert [str(p) for p in here.errors][:2] == [
        "项目!A1: 表头有合并单元格（A1:B1），请取消合并，每列一个表头",
        "到位资金!A1: 第 1 行应为表头",
    ]
    assert here.counts["抵押金"].created == 2


def test_an_exception_in_the_import_stops_the_child(settings, full_year, monkeypatch):
    def fails(self, sheet, rows):
        raise RuntimeError("导入中途出错")

    monkeypatch.setattr(importer.Importer, "_sheet_inflows", fails)
    settings.WORKBOOK_READ_IN_CHILD_KB = 0
    with pytest.raises(RuntimeError, match="导入中途出错"):
        run(full_year)
    assert no_child_left()


def test_only_a_file_past_the_threshold_starts_a_child(settings, full_year):
    settings.WORKBOOK_READ_IN_CHILD_KB = full_year.stat().st_size // 1024 + 1
    with sheet_rows(full_year) as read:
        assert read is iter_rows
        assert no_child_left()
    settings.WORKBOOK_READ_IN_CHILD_KB = full_year.stat().st_size // 1024
    with sheet_rows(full_year) as read:
        assert read is not iter_rows
        assert not no_child_left()
    assert no_child_left()
