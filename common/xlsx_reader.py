"""The one reading path for every uploaded workbook (the district workbook, the finance office's
tax sheet, any later one): the file is checked as a zip archive before openpyxl sees it, then
its sheets are read row by row in read-only mode, so memory does not grow with the file.

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
  long the sheet is (openpyxl itself then parses with defusedxml too);
- then openpyxl reads each sheet with its ``<dimension>`` record reset, so a stale dimension
  cannot hide rows.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO
from xml.parsers import expat

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

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


class Workbook:
    """The opened workbook as the importers see it: its data sheets by name (the template's
    说明 sheet left out), each with its claimed dimension dropped so every row is read."""

    def __init__(self, book):
        self._book = book

    @property
    def sheetnames(self) -> list[str]:
        return [name for name in self._book.sheetnames if name != NOTES_SHEET]

    @property
    def worksheets(self) -> list:
        return [self[name] for name in self.sheetnames]

    def __getitem__(self, name: str):
        if name == NOTES_SHEET:
            raise KeyError(name)
        sheet = self._book[name]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        return sheet

    def close(self) -> None:
        self._book.close()


def open_workbook(source: Source, *, data_only: bool = False) -> Workbook:
    """Check the file, then open it read-only; raises WorkbookError for the user."""
    check_file(source)
    try:
        return Workbook(load_workbook(source, read_only=True, data_only=data_only))
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise WorkbookError(_("文件已损坏或格式不对，无法读取。")) from exc
