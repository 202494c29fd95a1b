"""A sheet read by a child process (common.xlsx_reader.ChildReader) reads as it does here: the
same rows, values of the same types, in the same order; the reader's warnings before the
same row; the same exception after the same rows, in the caller's language; and the child is
always stopped and joined, whatever the caller does. Each ChildReader spawns a process (about
a second), so each test starts as few as it can."""

from __future__ import annotations

import functools
import io
import itertools
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from defusedxml import DTDForbidden
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from common.xlsx_reader import (
    CHILD_BATCH,
    ChildReader,
    ChildReaderError,
    WorkbookError,
    _opened,
    open_workbook,
)
from tests.common.test_xlsx_reader import _with_dtd, written, xlsx
from workbook.reader import iter_rows

# --- what the child runs (module level: it is pickled by name) -------------------------


def broken(sheet):
    """Reads 1,200 rows, then fails as no reader should."""
    for n, row in enumerate(iter_rows(sheet)):
        if n == 1200:
            raise RuntimeError("读到一半出错")
        yield row


class Unpicklable(Exception):
    def __init__(self):
        super().__init__("带着锁的异常")
        self.lock = multiprocessing.get_context("spawn").Lock()


def unpicklable(sheet):
    yield from iter_rows(sheet)
    raise Unpicklable


def refuse(sheet):
    """A message in the child's language, as the reader's own refusals are."""
    raise WorkbookError(gettext("文件是空的。"))
    yield  # a generator, as the readers are


def counting(progress: Path, sheet):
    """The rows, writing down how many the child has read so far. The count is written to
    a new file that then replaces the old one, so the test never reads a half-written one."""
    scratch = progress.with_suffix(".new")
    for n, row in enumerate(iter_rows(sheet), start=1):
        if n % 100 == 0:
            scratch.write_text(str(n))
            os.replace(scratch, progress)
        yield row


# --- helpers -------------------------------------------------------------------------------


def sheets(tmp_path: Path, data: dict[str, str], **parts) -> Path:
    """A workbook whose sheets hold the hand-written <sheetData> given for each."""
    titles = tuple(data)
    content = xlsx(data[titles[0]], sheets=titles, **parts)
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            text = source.read(info)
            for n, title in enumerate(titles, 1):
                if info.filename == f"xl/worksheets/sheet{n}.xml":
                    text = text.replace(data[titles[0]].encode(), data[title].encode())
            archive.writestr(info.filename, text)
    return written(tmp_path, buffer.getvalue())


def outcome(rows) -> tuple[str, object]:
    """The rows read until the end or an exception (repr: 1, 1.0 and True differ; a tuple and
    a list too), the exception's type and text, and how many warnings came before each row."""
    got, seen = [], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for row in rows:
                got.append(row)
                seen.append([str(w.message) for w in caught])
        except Exception as exc:
            return repr((got, seen)), (type(exc), str(exc))
    return repr((got, seen)), None


def read_here(path: Path, title: str, read=iter_rows):
    book = open_workbook(path)
    try:
        return outcome(read(book[title]))
    finally:
        book.close()


def no_child_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "xlsx-reader"]


def row_xml(n: int, cells: str) -> str:
    return f'<row r="{n}">{cells}</row>'


def numbered(first: int, last: int) -> str:
    """Rows of three cells: a number, an inline text, a shared string."""
    return "".join(
        row_xml(
            n,
            f'<c r="A{n}"><v>{n}</v></c>'
            f'<c r="B{n}" t="inlineStr"><is><t>第{n}行 的文字</t></is></c>'
            f'<c r="C{n}" t="s"><v>{n % 3}</v></c>',
        )
        for n in range(first, last + 1)
    )


SHARED = "<si><t>甲</t></si><si><r><t>富</t></r><r><t> 文本</t></r></si><si><t>丙</t></si>"
STYLES = (
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/>'
    '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    "</cellXfs>"
)


# --- the same rows -------------------------------------------------------------------------


def test_it_reads_each_sheet_as_this_process_does(tmp_path):
    data = {
        # shared strings (a rich-text run), inline strings, numbers; long enough to cross the
        # batches the child sends and the chunks the reader parses
        "长表": numbered(1, 3 * CHILD_BATCH + 17),
        # blank rows (no cell, an empty cell, blank text), gaps, rows without r=
        "空行": (
            row_xml(1, '<c r="A1" t="inlineStr"><is><t>表头</t></is></c>')
            + row_xml(2, "")
            + row_xml(3, '<c r="A3" t="inlineStr"><is><t>   </t></is></c><c r="B3"/>')
            + row_xml(6, '<c r="C6"><v>6</v></c>')
            + '<row><c><v>7</v></c><c t="b"><v>1</v></c></row>'
        ),
        # dates by style, typed cells, formulas (shared ones translated), an error value
        "日期公式": row_xml(
            1,
            '<c r="A1" s="1"><v>45000</v></c><c r="B1" s="2"><v>45000.5</v></c>'
            '<c r="C1" t="d"><v>2025-03-04T05:06:07</v></c><c r="D1" t="e"><v>#N/A</v></c>'
            '<c r="E1"><f t="shared" ref="E1:E3" si="0">A1*2</f><v>2</v></c>'
            '<c r="F1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>',
        )
        + row_xml(2, '<c r="E2"><f t="shared" si="0"/><v>4</v></c>')
        + row_xml(3, '<c r="E3"><f t="shared" si="0"/><v>6</v></c>'),
    }
    path = sheets(tmp_path, data, shared=SHARED, styles=STYLES)
    expected = {title: read_here(path, title) for title in data}
    assert expected["空行"][0].count("表头") == 1 and "'   '" not in expected["空行"][0]
    assert "'=A3*2'" in expected["日期公式"][0]
    with ChildReader(path, iter_rows) as child:
        assert no_child_left() is False
        for title in data:
            assert outcome(child.rows(title)) == expected[title], title
        assert outcome(child.rows("长表")) == expected["长表"]  # a sheet again, same process
    assert no_child_left()


def test_warnings_come_before_the_same_row(tmp_path):
    """openpyxl's warning for a date out of range, given here as the child met it."""
    rows = numbered(1, 800) + row_xml(801, '<c r="A801" s="1"><v>99999999</v></c>')
    rows += numbered(802, 3000)
    path = sheets(tmp_path, {"项目": rows}, shared=SHARED, styles=STYLES)
    expected = read_here(path, "项目")
    assert "outside the limits for dates" in expected[0]
    with ChildReader(path, iter_rows) as child:
        assert outcome(child.rows("项目")) == expected
        with pytest.warns(UserWarning, match="outside the limits for dates"):
            list(child.rows("项目"))


# --- the same exception after the same rows -------------------------------------------


def test_a_bad_cell_in_the_middle_of_a_sheet_fails_after_the_same_rows(tmp_path):
    data = {
        "行号": numbered(1, 1500) + '<row r="x1501"><c><v>1</v></c></row>' + numbered(1502, 1600),
        "坐标": numbered(1, 700) + row_xml(701, '<c r="1A"><v>1</v></c>') + numbered(702, 800),
        "共享": numbered(1, 900) + row_xml(901, '<c r="A901" t="s"><v>99</v></c>'),
        "样式": numbered(1, 10) + row_xml(11, '<c r="A11" s="x"><v>1</v></c>'),
    }
    path = sheets(tmp_path, data, shared=SHARED, styles=STYLES)
    expected = {title: read_here(path, title) for title in data}
    assert all(failure is not None for _rows, failure in expected.values()), expected
    with ChildReader(path, iter_rows) as child:
        for title in data:  # a failure stops the child: the next sheet starts another
            assert outcome(child.rows(title)) == expected[title], title
    assert no_child_left()


def test_a_hostile_sheet_is_refused_by_the_child_as_here(tmp_path):
    """The child reads only files its caller has checked, and still parses with the
    defusedxml rules: a DTD it meets is refused with the same exception."""
    path = written(tmp_path, _with_dtd(xlsx('<row r="1"><c r="A1"><v>1</v></c></row>')))
    with pytest.raises(WorkbookError, match="DTD"):
        open_workbook(path)
    book = _opened(path, data_only=False)
    expected = outcome(iter_rows(book["项目"]))
    book.close()
    assert expected[1][0] is DTDForbidden
    with ChildReader(path, iter_rows) as child:
        assert outcome(child.rows("项目")) == expected


def test_an_unexpected_exception_in_the_child_is_raised_here_with_its_traceback(tmp_path):
    path = sheets(tmp_path, {"项目": numbered(1, 2000)}, shared=SHARED)
    with ChildReader(path, broken) as child:
        rows = child.rows("项目")
        got = [next(rows) for _ in range(1200)]
        assert got[0] == (1, (1, "第1行 的文字", "富 文本"))
        with pytest.raises(RuntimeError, match="读到一半出错") as raised:
            next(rows)
        assert "in broken" in str(raised.value.__cause__)  # the child's traceback
    assert no_child_left()
    with (
        ChildReader(path, unpicklable) as child,
        pytest.raises(RuntimeError, match="Unpicklable: 带着锁的异常"),
    ):
        list(child.rows("项目"))


def test_a_message_made_in_the_child_is_in_the_callers_language(tmp_path):
    path = sheets(tmp_path, {"项目": numbered(1, 3)}, shared=SHARED)
    with translation.override("en"):
        english = gettext("文件是空的。")
        with ChildReader(path, refuse) as child, pytest.raises(WorkbookError) as raised:
            list(child.rows("项目"))
    assert str(raised.value) == english != "文件是空的。"


def test_a_child_that_dies_is_an_exception_here_not_a_hang(tmp_path):
    path = sheets(tmp_path, {"项目": numbered(1, 30_000)}, shared=SHARED)
    with ChildReader(path, iter_rows) as child:
        rows = child.rows("项目")
        next(rows)
        os.kill(child.pid, signal.SIGKILL)
        with pytest.raises(ChildReaderError, match="exit code -9"):
            for _row in rows:
                pass
    assert no_child_left()


# --- the child is always stopped -------------------------------------------------------


def test_stopping_early_stops_the_child_and_a_later_sheet_starts_another(tmp_path):
    data = {"项目": numbered(1, 5000), "到位资金": numbered(1, 40)}
    path = sheets(tmp_path, data, shared=SHARED)
    with ChildReader(path, iter_rows) as child:
        rows = child.rows("项目")
        assert [next(rows)[0] for _ in range(3)] == [1, 2, 3]
        rows.close()  # the importer gives up on a sheet
        assert no_child_left()
        assert outcome(child.rows("到位资金")) == read_here(path, "到位资金")
        abandoned = child.rows("项目")
        next(abandoned)  # left open, and another sheet asked for
        current = child.rows("到位资金")
        first = next(current)
        with pytest.raises(ChildReaderError, match="given up"):
            next(abandoned)  # and it leaves the new sheet's child alone
        assert outcome(itertools.chain([first], current)) == read_here(path, "到位资金")
    assert no_child_left()
    with pytest.raises(KeyboardInterrupt), ChildReader(path, iter_rows) as child:
        for _row in child.rows("项目"):
            raise KeyboardInterrupt
    assert no_child_left()


def test_the_child_reads_ahead_only_as_far_as_the_pipe_holds(tmp_path):
    """The channel is bounded: a caller that stops taking rows stops the child, so memory
    does not grow with the sheet."""
    total = 30_000
    path = sheets(tmp_path, {"项目": numbered(1, total)}, shared=SHARED)
    progress = tmp_path / "progress"
    with ChildReader(path, functools.partial(counting, progress)) as child:
        rows = child.rows("项目")
        next(rows)
        read, deadline = -1, time.monotonic() + 30
        while time.monotonic() < deadline:  # until the child has stopped reading
            time.sleep(0.5)
            now = int(progress.read_text()) if progress.exists() else 0
            if now == read and now:
                break
            read = now
        # The pipe holds some 200 KB: about a dozen batches of these short rows.
        assert 0 < read <= 20 * CHILD_BATCH < total
        assert sum(1 for _row in rows) == total - 1
        assert int(progress.read_text()) == total
    assert no_child_left()


UNGUARDED = """
import sys
from pathlib import Path

with open(sys.argv[2], "a") as marker:
    marker.write("ran\\n")
import django

django.setup()
from common.xlsx_reader import ChildReader
from workbook.reader import iter_rows

with ChildReader(Path(sys.argv[1]), iter_rows) as child:
    print(sum(1 for _row in child.rows("项目")), Path(__file__).name)
"""


def test_a_script_without_a_main_guard_is_not_run_again_in_the_child(tmp_path):
    """spawn would run the caller's script again in the child: one that empties tables
    before importing waited there on the caller's locks while the caller waited for rows."""
    path = sheets(tmp_path, {"项目": numbered(1, 700)}, shared=SHARED)
    script, marker = tmp_path / "unguarded.py", tmp_path / "ran"
    script.write_text(UNGUARDED)
    done = subprocess.run(
        [sys.executable, str(script), str(path), str(marker)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(settings.BASE_DIR)},
        cwd=settings.BASE_DIR,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["700", "unguarded.py"]  # and its __file__ is back
    assert marker.read_text() == "ran\n"
