"""Hostile workbooks, made by code (nothing binary is committed): the files of the attack run
in issue 13, for every upload path (district workbook, tax sheet, the command line).

Each maker returns the file's bytes. Those that take a ``base`` rewrite a real workbook made
by openpyxl, so the only thing wrong with the result is the one hostile part.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile

from openpyxl import Workbook

SHEET1 = "xl/worksheets/sheet1.xml"
GIB = 1024**3
MIB = 1024**2


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """A plain workbook: sheet name → rows (the first row is the header)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(base: bytes, member: str, change) -> bytes:
    """A copy of the archive ``base`` with ``member``'s text passed through ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def stale_dimension(base: bytes, claimed: str = "A1:D2") -> bytes:
    """The first sheet's <dimension> claims ``claimed`` (by default the header and one row),
    whatever the sheet holds: read-only openpyxl trusts it unless told otherwise."""

    def change(text: str) -> str:
        text, count = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{claimed}"/>', text)
        assert count == 1, "the base sheet has no <dimension> to make stale"
        return text

    return rewrite(base, SHEET1, change)


def _with_doctype(text: str, doctype: str) -> str:
    """Insert ``doctype`` after the XML declaration (or at the start)."""
    if text.startswith("<?xml"):
        end = text.index("?>") + 2
        return text[:end] + doctype + text[end:]
    return doctype + text


def dtd_sheet(base: bytes) -> bytes:
    """A harmless-looking DTD with one internal entity: Excel never writes one."""
    return rewrite(
        base, SHEET1, lambda text: _with_doctype(text, '<!DOCTYPE worksheet [<!ENTITY x "1">]>')
    )


def billion_laughs(base: bytes) -> bytes:
    """The classic: ten levels of ten-fold entities, 10^9 "lol"s once expanded, used in a cell
    as inline text."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE worksheet [{''.join(levels)}]>"

    def change(text: str) -> str:
        text = _with_doctype(text, doctype)
        cell = '<c r="Z1" t="inlineStr"><is><t>&lol9;</t></is></c>'
        return re.sub(r"(<row [^>]*>)", lambda m: m.group(1) + cell, text, count=1)

    return rewrite(base, SHEET1, change)


def dtd_sheet_utf16(base: bytes) -> bytes:
    """The DTD again, in a sheet saved as UTF-16 (a scan for the ASCII bytes would miss it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == SHEET1:
                text = re.sub(r"^<\?xml[^>]*\?>", "", data.decode("utf-8"))
                text = '<?xml version="1.0" encoding="UTF-16"?>' + _with_doctype(
                    text, '<!DOCTYPE worksheet [<!ENTITY x "1">]>'
                )
                data = text.encode("utf-16")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def external_entity(base: bytes) -> bytes:
    """An external entity that would read a local file (XXE)."""
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return rewrite(base, SHEET1, lambda text: _with_doctype(text, doctype))


def not_a_zip() -> bytes:
    """A CSV renamed to .xlsx."""
    return "单位编码,单位名称,单位类型\nT01,郴江镇,乡镇\n".encode()


def truncated(base: bytes) -> bytes:
    """A download cut off half-way: the zip has no central directory."""
    return base[: len(base) // 2]


def malformed_sheet(base: bytes) -> bytes:
    """A sheet whose XML breaks off in the middle of the data (CRC and zip are fine)."""
    return rewrite(base, SHEET1, lambda text: text.replace("</sheetData>", "<row><c>"))


@functools.cache
def bomb(uncompressed: int = GIB) -> bytes:
    """A valid-looking workbook of about 1 MB whose one sheet is 1 GiB of spaces in a cell.

    Streamed through zipfile a mebibyte at a time, so nothing of that size is ever held in
    memory here either. Cached: the compression takes a few seconds.
    """
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:A1"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    )
    tail = b"</t></is></c></row></sheetData></worksheet>"
    spaces = b" " * MIB
    body = uncompressed - len(head) - len(tail)
    base = workbook({"单位": [["单位编码", "单位名称", "单位类型"]]})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != SHEET1:
                target.writestr(info.filename, source.read(info))
        with target.open(SHEET1, "w") as member:
            member.write(head)
            for _ in range(body // MIB):
                member.write(spaces)
            member.write(b" " * (body % MIB) + tail)
    return out.getvalue()


def lying_bomb(declared: int = 1000) -> bytes:
    """The bomb with its sheet's uncompressed size rewritten to ``declared`` in both the local
    header and the central directory: a reader that trusted the zip's own sizes would pass it.
    """
    data = bytearray(bomb())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo(SHEET1).header_offset
        entry = archive.start_dir  # the central directory
    assert data[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, declared)
    while True:
        assert data[entry : entry + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46 : entry + 46 + name_len] == SHEET1.encode():
            struct.pack_into("<I", data, entry + 24, declared)
            return bytes(data)
        entry += 46 + name_len + extra_len + comment_len
