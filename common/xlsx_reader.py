"""The one reading path for every uploaded workbook (the district workbook, the finance office's
tax sheet, any later one): the file is checked as a zip archive before anything parses it,
then its sheets are streamed row by row (expat, see "reading the cells" below), so memory does
not grow with the file.

The checks, each refused with one clear Chinese message (WORKBOOK.md: "A workbook is read by
its cells, not by the size its file claims"):

- the file is an .xlsx (not an old .xls, not a password-protected file, not a CSV renamed);
- the archive expands to at most ``WORKBOOK_MAX_UNCOMPRESSED_MB`` in all, no member expands
  more than ``WORKBOOK_MAX_RATIO`` times its compressed size (a decompression bomb), and it
  holds at most ``WORKBOOK_MAX_MEMBERS`` members. The sizes come from the zip directory, and
  Python's zipfile never hands out more than a member declares, so a lying header gains
  nothing: the CRC pass below then fails;
- every member decompresses with a correct CRC, and every XML member is well-formed XML
  without a DTD: expat with defusedxml's rules and exceptions (DTD, entity declarations and
  external references forbidden) and no other handler, so billion laughs and external
  entities are refused at the ``<!DOCTYPE``, no tree is built and memory stays flat however
  long the sheet is (the reading below uses the same handlers; openpyxl, for the small
  parts, parses with defusedxml);
- then every row of each sheet is read: a ``<dimension>`` record is never consulted, so a
  stale one cannot hide rows.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import traceback
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO
from xml.parsers import expat

import django
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from django.conf import ENVIRONMENT_VARIABLE, settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.formula.translate import Translator
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.xml.constants import SHARED_STRINGS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The sheet of explanations the portal's templates carry (examples, allowed values): it is
# documentation, never data, and import skips it without a warning (WORKBOOK.md).
NOTES_SHEET = "说明"
# A member this small cannot be a bomb whatever its ratio (an empty sheet compresses 50:1).
RATIO_FLOOR = 1024 * 1024
CHUNK = 1 << 20


class WorkbookError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Chinese."""


Source = Path | IO[bytes]


def _size_and_head(source: Source) -> tuple[int, bytes]:
    if isinstance(source, Path):
        size = source.stat().st_size
        with source.open("rb") as handle:
            return size, handle.read(8)
    source.seek(0, 2)
    size = source.tell()
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    return size, head


def _refuse_ole(source: Source, size: int) -> None:
    """An OLE file is an old .xls or an Excel file with an opening password."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            blob = handle.read(min(size, 4 * 1024 * 1024))
    else:
        blob = source.read(min(size, 4 * 1024 * 1024))
        source.seek(0)
    if "EncryptionInfo".encode("utf-16-le") in blob or b"EncryptionInfo" in blob:
        raise WorkbookError(_("文件设置了打开密码，请在 Excel 中去掉密码后再上传。"))
    raise WorkbookError(
        _("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为 Excel 工作簿（.xlsx）”后再上传。")
    )


def _forbid_dtd(*_args):
    raise DTDForbidden(None, None, None)


def _forbid_entity(*_args):
    raise EntitiesForbidden(None, None, None, None, None, None)


def _forbid_external(*_args):
    raise ExternalReferenceForbidden(None, None, None, None)


def _looks_like_xml(head: bytes) -> bool:
    """UTF-8 (with or without a BOM, after blanks) or UTF-16 text that opens a tag."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream one member through expat with defusedxml's rules (no DTD, no entity, no
    external reference) and no handler for anything else: C speed, no tree, flat memory."""
    with archive.open(info) as handle:
        chunk = handle.read(CHUNK)
        if not _looks_like_xml(chunk):
            # Not XML (an image, a printer setting): openpyxl does not parse it either, but
            # its CRC is still checked.
            while handle.read(CHUNK):
                pass
            return
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _forbid_dtd
        parser.EntityDeclHandler = _forbid_entity
        parser.UnparsedEntityDeclHandler = _forbid_entity
        parser.ExternalEntityRefHandler = _forbid_external
        while chunk:
            parser.Parse(chunk, False)
            chunk = handle.read(CHUNK)
        parser.Parse(b"", True)


def _check_container(source: Source, size: int, head: bytes) -> None:
    """The file as a whole: its size, and that it is a zip archive (not a renamed CSV or an
    old binary .xls), each refusal with its own reason."""
    limit = settings.WORKBOOK_MAX_MB
    if size > limit * 1024 * 1024:
        raise WorkbookError(
            _("文件太大（%(size).1f MB），上限为 %(limit)d MB。")
            % {"size": size / 1024 / 1024, "limit": limit}
        )
    if size == 0:
        raise WorkbookError(_("文件是空的。"))
    if head.startswith(OLE_MAGIC):
        _refuse_ole(source, size)
    if not zipfile.is_zipfile(source):
        if head.startswith(b"PK"):
            raise WorkbookError(_("文件已损坏（不完整），无法读取，请重新保存后再上传。"))
        raise WorkbookError(
            _("不是有效的 Excel 工作簿（.xlsx）：可能是改了扩展名的 CSV 或其他文件。")
        )


def _check_members(source: Source) -> None:
    """The archive's members: their sizes, the workbook part, and every XML part."""
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        _check_sizes(members)
        if "xl/workbook.xml" not in {info.filename for info in members}:
            raise WorkbookError(_("不是有效的 Excel 工作簿（.xlsx）。"))
        for info in members:
            if not info.is_dir():
                _check_xml(archive, info)


def check_file(source: Source) -> None:
    """Refuse what is not a safe .xlsx before openpyxl sees it, with one precise reason.

    ``source`` is a path or an open binary file (an upload); nothing is written to disk.
    Raises WorkbookError with the message for the user.
    """
    _check_container(source, *_size_and_head(source))
    if not isinstance(source, Path):
        source.seek(0)
    try:
        _check_members(source)
    except DefusedXmlException as exc:
        raise WorkbookError(
            _(
                "文件中含有 DTD 或实体声明（Excel 保存的工作簿没有这些），为安全起见拒绝读取。"
                "请在 Excel 中打开后另存为新的 .xlsx 再上传。"
            )
        ) from exc
    except WorkbookError:
        raise
    except Exception as exc:  # BadZipFile, a CRC error, malformed XML, an unknown method
        raise WorkbookError(
            _(
                "文件已损坏或不是 Excel 保存的工作簿，无法读取。"
                "请在 Excel 中打开后另存为 .xlsx 再上传。"
            )
        ) from exc
    finally:
        if not isinstance(source, Path):
            source.seek(0)


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > settings.WORKBOOK_MAX_MEMBERS:
        raise WorkbookError(
            _(
                "文件包含的部件过多（%(n)d 个，上限 %(limit)d 个），"
                "不像 Excel 保存的工作簿，已拒绝。"
            )
            % {"n": len(members), "limit": settings.WORKBOOK_MAX_MEMBERS}
        )
    limit_mb = settings.WORKBOOK_MAX_UNCOMPRESSED_MB
    total = sum(info.file_size for info in members)
    bomb = total > limit_mb * 1024 * 1024 or any(
        info.file_size > RATIO_FLOOR
        and info.file_size > settings.WORKBOOK_MAX_RATIO * max(info.compress_size, 1)
        for info in members
    )
    if bomb:
        raise WorkbookError(
            _(
                "文件解压后过大（约 %(size)d MB，上限 %(limit)d MB）或压缩比异常，疑似“压缩炸弹”，"
                "已拒绝读取。请删除空白行列后另存再上传，或分成几个文件。"
            )
            % {"size": total // (1024 * 1024), "limit": limit_mb}
        )


# --- reading the cells -----------------------------------------------------------------
#
# openpyxl's read-only mode parses each cell through ElementTree (an element object per tag)
# and scans the whole sheet once more for its size before the first row; the portal's reader
# below streams the same XML through expat (C speed) with the same defusedxml handlers as the
# checks above, a few Python statements per cell, and returns exactly what openpyxl's
# read-only ``iter_rows(values_only=True)`` returns with the sheet's <dimension> dropped (the
# tests compare the two on random workbooks). The small parts (content types, workbook.xml,
# its relationships, styles.xml) are still read by openpyxl's own code, once per file.

SEP = " "  # expat's namespace separator: "<namespace> <local name>"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main" + SEP
ROW_TAG, CELL_TAG, VALUE_TAG = MAIN + "row", MAIN + "c", MAIN + "v"
FORMULA_TAG, INLINE_TAG, STRING_TAG = MAIN + "f", MAIN + "is", MAIN + "si"
TEXT_TAG = MAIN + "t"
DIGITS = "0123456789"
COLUMNS = {get_column_letter(n): n for n in range(1, 18279)}
READ_SIZE = 1 << 16


def _parser():
    """expat with defusedxml's rules, as in ``_check_xml``, namespaces resolved."""
    parser = expat.ParserCreate(namespace_separator=SEP)
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_entity
    parser.ExternalEntityRefHandler = _forbid_external
    parser.buffer_text = True
    parser.buffer_size = READ_SIZE
    return parser


def _feed(parser, handle):
    """Parse a zip member chunk by chunk, yielding after each chunk (the callers stream)."""
    while chunk := handle.read(READ_SIZE):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


class _Text:
    """openpyxl's ``Text.from_tree(node).content`` (a shared string <si> or an inline <is>),
    fed the expat events below the node: the text of its last direct <t>, then the last <t>
    of each rich-text run <r>; phonetic runs <rPh> and any other element are left out, and a
    <t>'s text stops at a child element, as ElementTree's ``.text`` does."""

    __slots__ = ("buf", "capturing", "depth", "plain", "run", "runs", "t_depth")

    def __init__(self):
        self.depth = 0  # below the node: its children are at depth 1
        self.plain = None
        self.runs: list = []
        self.run = False  # inside a direct <r>
        self.buf: list[str] = []  # the open <t>'s text
        self.capturing = False  # until the open <t> has a child element
        self.t_depth = 0

    def start(self, name: str) -> None:
        self.depth += 1
        self.capturing = False
        local = name[name.rfind(SEP) + 1 :]
        if (
            local == "t"
            and not self.t_depth
            and (self.depth == 1 or (self.run and self.depth == 2))
        ):
            self.t_depth, self.buf, self.capturing = self.depth, [], True
        elif local == "r" and self.depth == 1:
            self.run = True
            self.runs.append(None)

    def chars(self, data: str) -> None:
        if self.capturing:
            self.buf.append(data)

    def end(self) -> None:
        if self.depth == self.t_depth:
            text = "".join(self.buf) or None
            if self.run:
                self.runs[-1] = text
            else:
                self.plain = text
            self.t_depth, self.capturing = 0, False
        elif self.depth == 1:
            self.run = False
        self.depth -= 1

    @property
    def content(self) -> str:
        return (self.plain or "") + "".join(run for run in self.runs if run)


def _read_strings(archive: zipfile.ZipFile, member: str) -> list[str]:
    """The shared-string table, as openpyxl's ``read_string_table`` makes it."""
    strings: list[str] = []
    text: _Text | None = None

    def start(name, _attrs):
        nonlocal text
        if text is not None:
            text.start(name)
        elif name == STRING_TAG:
            text = _Text()

    def end(_name):
        nonlocal text
        if text is None:
            return
        if text.depth:
            text.end()
        else:
            strings.append(text.content.replace("x005F_", ""))
            text = None

    def chars(data):
        if text is not None:
            text.chars(data)

    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    with archive.open(member) as handle:
        for _ in _feed(parser, handle):
            pass
    return strings


NOTHING = object()  # a cell's <v> not met yet


def _formula(attrs: dict, text: str, coordinate, shared: dict):
    """What openpyxl's read-only mode gives for a formula when not data_only."""
    value = "=" + text
    kind = attrs.get("t")
    if kind == "array":
        return ArrayFormula(ref=attrs.get("ref"), text=value)
    if kind == "shared":
        index = attrs.get("si")
        if index in shared:
            return shared[index].translate_formula(coordinate)
        if value != "=":
            shared[index] = Translator(value, coordinate)
    elif kind == "dataTable":
        return DataTableFormula(**attrs)
    return value


def _padded(columns: list[int], values: list) -> tuple:
    """A row whose cells are not exactly columns 1, 2, 3 …: None in the gaps, and as wide as
    its last cell's column, as openpyxl pads it (a cell further right than the last is
    dropped, a repeated column keeps its last value)."""
    width = columns[-1]
    row = [None] * width
    for column, value in zip(columns, values, strict=True):
        if 0 < column <= width:
            row[column - 1] = value
    return tuple(row)


class Sheet:
    """One worksheet: ``iter_rows(values_only=True)`` streams its rows."""

    def __init__(self, book: Workbook, title: str, member: str, state: str, *, chart=False):
        self.parent = book
        self.title = title
        self.sheet_state = state
        self._member = member
        self._chart = chart

    def reset_dimensions(self) -> None:
        """Kept for callers written for openpyxl: a claimed <dimension> is never read here."""

    def iter_rows(self, *, values_only: bool = True) -> Iterator[tuple]:
        if not values_only:
            raise TypeError("the portal's reader gives values only")
        return iter(()) if self._chart else self._rows()

    @property
    def values(self) -> Iterator[tuple]:
        return self.iter_rows(values_only=True)

    def _rows(self) -> Iterator[tuple]:
        done: list[tuple[int, list, list]] = []
        parser = _sheet_parser(self.parent, done)
        counter = 1
        with self.parent.archive.open(self._member) as handle:
            for _ in _feed(parser, handle):
                for number, columns, values in done:
                    while counter < number:  # a row missing from the file
                        counter += 1
                        yield []
                    if counter <= number:  # a repeated or earlier row number is skipped
                        counter += 1
                        n = len(columns)
                        if not n:
                            yield ()
                        elif columns[-1] == n and columns == _straight(n):
                            yield tuple(values)
                        else:
                            yield _padded(columns, values)
                done.clear()


def _sheet_parser(book: Workbook, done: list):  # noqa: C901  (see below)
    """An expat parser that appends (row number, columns, values) to ``done`` for each
    <row> of a sheet. The handlers are closures over plain local names: they run a few
    times per cell, where an attribute look-up costs (a class holding the same state in
    attributes read the bench file a third slower). Each handler is within the complexity
    limit; ruff adds the nested functions up into this factory, hence the noqa."""
    strings, data_only, epoch = book.shared_strings, book.data_only, book.epoch
    kinds, style_kind = book.style_kinds, book.style_kind
    shared: dict = {}
    number = column = capture = inline_at = 0
    cell = f = text = inline = None
    v = NOTHING
    f_text = t_text = ""
    buf: list[str] = []
    columns: list[int] = []
    values: list = []

    def start(name, attrs):
        # inline_at: 0 outside an <is>; 1 after <is>, 2 in its <t>, 3 after that </t>
        # (the usual <is><t>…</t></is>, kept here); 4 anything else, left to a _Text.
        nonlocal cell, v, f, text, capture, buf, number, column, columns, values, inline_at
        if inline_at:
            if inline_at == 1 and name == TEXT_TAG:
                inline_at, capture, buf = 2, 3, []
            else:
                inline_start(name)
        elif name == CELL_TAG:
            cell, v, f, text = attrs, NOTHING, None, None
        elif name == VALUE_TAG:
            if cell is not None and v is NOTHING:
                capture, buf = 1, []
        elif name == INLINE_TAG:
            if cell is not None and text is None:
                inline_at = 1
        elif name == ROW_TAG:
            r = attrs.get("r")
            number = number + 1 if r is None else _row_number(r)
            column, columns, values = 0, [], []
        elif name == FORMULA_TAG and cell is not None and f is None:
            f, capture, buf = attrs, 2, []

    def inline_start(name):
        """An <is> that is more than <t>…</t>: handed over to a _Text where it stands."""
        nonlocal inline, inline_at, capture
        if inline_at != 4:
            inline = _Text()
            if inline_at == 2:
                inline.depth = inline.t_depth = 1
                inline.buf, inline.capturing, capture = buf, True, 0
            elif inline_at == 3:
                inline.plain = t_text or None
            inline_at = 4
        inline.start(name)

    def chars(data):
        if capture:
            buf.append(data)
        elif inline_at == 4:
            inline.chars(data)

    def end(name):
        nonlocal v, f_text, capture
        if inline_at:
            inline_end()
        elif name == CELL_TAG:
            if cell is not None:
                end_cell()
        elif name == VALUE_TAG:
            if capture == 1:
                v, capture = "".join(buf) or None, 0
        elif name == ROW_TAG:
            done.append((number, columns, values))
        elif name == FORMULA_TAG and capture == 2:
            f_text, capture = "".join(buf), 0

    def inline_end():
        nonlocal inline_at, t_text, capture, text, inline
        if inline_at == 2:
            inline_at, t_text, capture = 3, "".join(buf), 0
        elif inline_at != 4:  # </is>
            text, inline_at = (t_text if inline_at == 3 else ""), 0
        elif inline.depth:
            inline.end()
        else:
            text, inline, inline_at = inline.content, None, 0

    def end_cell():
        nonlocal cell, column
        r = cell.get("r")
        if r:
            letters = r.rstrip(DIGITS)
            found = COLUMNS.get(letters) if len(letters) != len(r) else None
            column = found or coordinate_to_tuple(r)[1]
        else:
            column += 1
        columns.append(column)
        kind = cell.get("t", "n")
        s = cell.get("s")
        style = (kinds.get(s) or style_kind(s)) if s else 0
        if f is not None and not data_only:
            values.append(_formula(f, f_text, r, shared))
        elif kind == "inlineStr":
            values.append(text)
        elif v is None or v is NOTHING:
            values.append(None)
        elif kind == "n":
            value = float(v) if "." in v or "E" in v or "e" in v else int(v)
            values.append(_date(value, epoch, style, r) if style else value)
        else:
            values.append(_typed(kind, v, strings))
        cell = None

    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    return parser


STRAIGHT: dict[int, list[int]] = {}


def _straight(n: int) -> list[int]:
    """[1, 2, … n]: the columns of a row with no gap."""
    if n not in STRAIGHT:
        STRAIGHT[n] = list(range(1, n + 1))
    return STRAIGHT[n]


def _row_number(r: str) -> int:
    try:
        return int(r)
    except ValueError:
        number = float(r)
        if number.is_integer():
            return int(number)
        raise ValueError(f"{r} is not a valid row number") from None


def _date(value, epoch, style: int, coordinate):
    """A number in a date or duration format, as openpyxl converts it."""
    try:
        return from_excel(value, epoch, timedelta=style == TIMEDELTA)
    except (OverflowError, ValueError):
        warnings.warn(
            f"Cell {coordinate} is marked as a date but the serial value {value} is outside "
            "the limits for dates. The cell will be treated as an error.",
            stacklevel=2,
        )
        return "#VALUE!"


DATE, TIMEDELTA = 1, 2


def _typed(kind: str, v: str, strings: list[str]):
    """A cell's value by its type, numbers aside."""
    if kind == "s":
        return strings[int(v)]
    if kind == "b":
        return bool(int(v))
    if kind == "d":
        return from_ISO8601(v)
    return v  # str, e (an error such as #N/A), or a type openpyxl keeps as text


class Workbook:
    """The opened workbook as the importers see it: its data sheets by name (the template's
    说明 sheet left out), read by the portal's streaming reader."""

    def __init__(self, reader: ExcelReader, *, data_only: bool):
        self.archive = reader.archive
        self.data_only = data_only
        self.epoch = reader.wb.epoch
        self._date_formats = set(reader.wb._date_formats)
        self._timedelta_formats = set(reader.wb._timedelta_formats)
        self.style_kinds: dict[str, int] = {}
        strings = reader.package.find(SHARED_STRINGS)
        self.shared_strings = (
            _read_strings(self.archive, strings.PartName[1:]) if strings is not None else []
        )
        present = set(self.archive.namelist())
        self._sheets = [
            Sheet(self, sheet.name, rel.target, sheet.state, chart="chartsheet" in rel.Type)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in present
        ]

    def style_kind(self, s: str) -> int:
        """0, DATE or TIMEDELTA for a cell's style index (raises ValueError as openpyxl does
        for one that is not a number)."""
        index = int(s)
        kind = 0
        if index in self._date_formats:
            kind = TIMEDELTA if index in self._timedelta_formats else DATE
        self.style_kinds[s] = kind
        return kind

    @property
    def sheetnames(self) -> list[str]:
        return [sheet.title for sheet in self._sheets if sheet.title != NOTES_SHEET]

    @property
    def worksheets(self) -> list[Sheet]:
        return [self[name] for name in self.sheetnames]

    def __getitem__(self, name: str) -> Sheet:
        if name != NOTES_SHEET:
            for sheet in self._sheets:
                if sheet.title == name:
                    return sheet
        raise KeyError(name)

    def close(self) -> None:
        self.archive.close()


def open_workbook(source: Source, *, data_only: bool = False) -> Workbook:
    """Check the file, then open it for streaming; raises WorkbookError for the user."""
    check_file(source)
    return _opened(source, data_only=data_only)


def _opened(source: Source, *, data_only: bool) -> Workbook:
    try:
        reader = ExcelReader(source, read_only=True, data_only=data_only)
        reader.read_manifest()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        return Workbook(reader, data_only=data_only)
    except Exception as exc:  # a damaged file raises many kinds
        raise WorkbookError(_("文件已损坏或格式不对，无法读取。")) from exc


# --- reading in a child process --------------------------------------------------------
#
# Parsing a sheet costs Python a few dozen microseconds a row (the handlers above), and an
# import spends several times that on each row after it is read: a child process on another
# core parses the sheet while the caller works on the rows it has. "spawn", never fork: the
# callers (the web server, the task worker) have threads and an open database connection,
# which a forked child would share. Spawning a child and setting Django up costs about a
# second, so a caller starts the child before it checks the file (ChildReader's docstring).

CHILD_BATCH = 500  # rows per message: the pipe's cost is per message, memory per batch
DONE = "done"  # the end of a sheet's rows, in place of an exception


class ChildReaderError(RuntimeError):
    """The child process stopped without a word (killed, out of memory, a crash in C)."""


class _Sent(Exception):
    """In the child: the exception that stopped a sheet has gone to the parent."""


class _ChildTraceback(Exception):
    """The child's traceback, attached as the cause of the exception raised here."""

    def __str__(self) -> str:
        return self.args[0]


class ChildReader:
    """The sheets of one checked workbook, read by a child process: ``rows(title)`` yields
    exactly what ``read(book[title])`` yields in this process (``read`` is a module-level
    function, e.g. ``Sheet.iter_rows`` or workbook.reader.iter_rows), in the same order,
    with the reader's warnings given here before the same row, and the exception that
    stopped the reading raised here after the rows before it (its type and message; the
    child's traceback is its cause). A child that dies without a word raises
    ChildReaderError.

    The process starts at once and sets Django up (the same settings module, this thread's
    language, so any message it makes reads as here) while the caller checks and opens the
    file; it opens the workbook when the first sheet is asked for, without checking it
    again (only a file the caller has opened is read), and never touches the database.
    Rows come in batches through a pipe: a child ahead of the caller waits once the
    pipe's buffer is full, so memory does not grow with the sheet. A sheet left unfinished
    (the caller stopped early or gave up on it) stops the process; a later sheet starts a
    new one. Use it as a context manager: ``close`` stops and joins the process.
    """

    def __init__(self, path: Path, read: Callable[[Sheet], Iterable], *, data_only=False):
        self._path, self._data_only = path, data_only
        # Pickled here, unpickled in the child after Django's setup: its module may then
        # import models.
        self._read = pickle.dumps(read)
        self._process = None
        self._connection = None
        self._reading = False  # a sheet asked for and not finished
        self._start()

    def __enter__(self) -> ChildReader:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(
                theirs,
                # what Django read this process's settings from (settings.SETTINGS_MODULE is
                # None under override_settings); a test's overrides do not reach the child
                os.environ.get(ENVIRONMENT_VARIABLE),
                translation.get_language(),
                self._path,
                self._data_only,
                self._read,
            ),
            name="xlsx-reader",
            daemon=True,
        )
        with _main_left_alone():
            process.start()
        theirs.close()  # the child's end: once the child is gone, recv() here gets EOF
        self._process, self._connection = process, mine

    def rows(self, title: str) -> Iterator:
        if self._reading:
            self.close()  # the rows of an unfinished sheet are still on their way
        if self._process is None:
            self._start()
        process, connection = self._process, self._connection
        # A child that has stopped refuses the title: why is in the pipe (or it ended
        # without a word, which _receive reports).
        with contextlib.suppress(OSError):
            connection.send(title)
        self._reading = True
        finished = False
        try:
            while True:
                batch, warned, end = _receive(process, connection)
                for row in _replay(batch, warned) if warned else batch:
                    yield row
                    if self._process is not process:  # resumed after another sheet began
                        raise ChildReaderError("the reading of this sheet was given up")
                if end == DONE:
                    finished, self._reading = True, False
                    return
                if end is not None:
                    exc, trace = end
                    raise exc from _ChildTraceback(trace)
        finally:
            # Only this sheet's own child: a generator given up may be finalized later.
            if not finished and self._process is process:
                self.close()

    def close(self) -> None:
        """Stop the child, whatever it is doing, and wait for it: no process is left."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        self._reading = False
        if process is None:
            return
        process.terminate()
        process.join()
        process.close()
        connection.close()


_STARTING = threading.Lock()


@contextlib.contextmanager
def _main_left_alone():
    """Start a spawned child without running the caller's main script again in it.

    spawn runs ``__main__``'s file (or module) again in the child, so that what the script
    defines can be unpickled there; the child needs nothing of it (``read`` comes from an
    importable module). A script without ``if __name__ == "__main__":`` would do its work
    again in the child: an import script that empties the tables first waits there for the
    locks of the caller's transaction while the caller waits for rows, a hang neither side
    reports. multiprocessing skips the step for a ``__main__`` with neither a file nor a
    module name, so both are hidden while the child starts (under a lock: another thread
    may start one too)."""
    main = sys.modules["__main__"]
    with _STARTING:
        saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
        main.__dict__.pop("__file__", None)
        main.__spec__ = None
        try:
            yield
        finally:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)


def _receive(process, connection) -> tuple:
    try:
        return connection.recv()
    except (EOFError, OSError):  # OSError: it died with our title unread
        process.join()
        raise ChildReaderError(
            "the reading process ended without its rows (exit code %s)" % process.exitcode
        ) from None


def _replay(batch: list, warned: list) -> Iterator:
    """A batch's rows with the warnings the child caught, each before the same row."""
    start = 0
    for index, warning in warned:
        yield from batch[start:index]
        start = index
        warnings.warn(warning, stacklevel=2)
    yield from batch[start:]


def _serve(connection, settings_module, language, path, data_only, read) -> None:
    """The child: set Django up as the parent has it, then stream each sheet asked for."""
    # Ctrl-C reaches the whole process group: the parent stops this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.environ[ENVIRONMENT_VARIABLE] = settings_module
        django.setup()
        if language:
            translation.activate(language)
        else:
            translation.deactivate_all()
        read = pickle.loads(read)
        book = None
        while True:
            try:
                title = connection.recv()
            except EOFError:
                return  # the parent is gone
            if book is None:
                book = _opened(path, data_only=data_only)
            _send_rows(connection, read(book[title]))
    except _Sent:
        return
    except BaseException as exc:  # every failure goes to the parent
        with contextlib.suppress(OSError):  # unless the parent is gone
            connection.send(([], [], _portable(exc)))


def _send_rows(connection, rows: Iterable) -> None:
    """One sheet's rows in batches, then DONE; an exception while reading goes with the
    rows before it, and ends the child."""
    batch: list = []
    warned: list = []  # (index in the batch, warning): the warning came before that row
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # the parent's filters decide when it warns again
        try:
            for row in rows:
                if caught:
                    warned.extend((len(batch), w.message) for w in caught)
                    caught.clear()
                batch.append(row)
                if len(batch) == CHILD_BATCH:
                    connection.send((batch, warned, None))
                    batch, warned = [], []
        except Exception as exc:
            warned.extend((len(batch), w.message) for w in caught)
            connection.send((batch, warned, _portable(exc)))
            raise _Sent from None
        warned.extend((len(batch), w.message) for w in caught)
    connection.send((batch, warned, DONE))


def _portable(exc: BaseException) -> tuple[BaseException, str]:
    """The exception as it can cross to the parent, and its traceback as text. One whose
    class cannot be called again with its args (defusedxml's DTDForbidden) crosses as its
    class, args and attributes; one that cannot cross at all becomes a RuntimeError with
    its text."""
    trace = "".join(traceback.format_exception(exc))
    for form in (exc, _Rebuilt(exc)):
        try:
            pickle.loads(pickle.dumps(form))
        except Exception:
            continue
        return form, trace
    return RuntimeError("%s: %s" % (type(exc).__name__, exc)), trace


class _Rebuilt:
    """Pickles an exception without calling its ``__init__`` again."""

    def __init__(self, exc: BaseException):
        self.exc = exc

    def __reduce__(self):
        return _rebuilt, (type(self.exc), self.exc.args, vars(self.exc))


def _rebuilt(cls, args, state):
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc
