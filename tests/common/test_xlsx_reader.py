"""The portal's streaming .xlsx reader (common/xlsx_reader.py) gives exactly what openpyxl's
read-only mode gives (``iter_rows(values_only=True)``, the <dimension> dropped): random
workbooks written by openpyxl, and hand-written XML for what openpyxl does not write (rich
text, phonetic runs, rows and cells without ``r=``, the 1904 calendar, typed cells)."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from common.xlsx_reader import NOTES_SHEET, WorkbookError, open_workbook


def openpyxl_rows(source, *, data_only: bool) -> dict[str, list]:
    """What the importers read before: openpyxl read-only, every sheet's dimension reset."""
    book = load_workbook(source, read_only=True, data_only=data_only)
    rows = {}
    for sheet in book.worksheets:
        if sheet.title == NOTES_SHEET:
            continue
        sheet.reset_dimensions()
        rows[sheet.title] = list(sheet.iter_rows(values_only=True))
    book.close()
    return rows


def our_rows(source, *, data_only: bool) -> dict[str, list]:
    book = open_workbook(source, data_only=data_only)
    try:
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    finally:
        book.close()


def same_as_openpyxl(path: Path) -> dict[str, list]:
    for data_only in (False, True):
        ours = our_rows(path, data_only=data_only)
        assert ours == openpyxl_rows(path, data_only=data_only)
        # and value for value of the same type (1 == 1.0 == True would hide a difference)
        for name, rows in openpyxl_rows(path, data_only=data_only).items():
            for mine, theirs in zip(ours[name], rows, strict=True):
                assert [type(v) for v in mine] == [type(v) for v in theirs]
    return our_rows(path, data_only=False)


# --- random workbooks written by openpyxl ------------------------------------------------

# Text openpyxl can write: no control characters but tab and newline, no lone surrogates.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")),
        st.sampled_from(" \t\n\u3000 x005F_"),
    ),
    max_size=20,
)
VALUES = st.one_of(
    st.none(),
    TEXT,
    TEXT.map(lambda t: " " + t + " "),
    st.sampled_from(["=SUM(A1:A3)", '=IF(A1>0,"是","否")', "=1/0", "=", "==x"]),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, max_value=10**12),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.booleans(),
)
# (row, column, value): placed anywhere in a small area, so rows and cells have gaps.
CELLS = st.lists(st.tuples(st.integers(1, 12), st.integers(1, 8), VALUES), min_size=0, max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=CELLS, rows=st.lists(st.lists(VALUES, max_size=6), max_size=6), epoch=st.booleans())
def test_random_workbooks_read_exactly_as_openpyxl_reads_them(tmp_path_factory, cells, rows, epoch):
    folder = tmp_path_factory.mktemp("random")
    # A normal workbook (shared strings, cells placed anywhere, a 说明 sheet left out) …
    book = Workbook()
    if epoch:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "项目"
    for row, column, value in cells:
        sheet.cell(row=row, column=column, value=value)
    book.create_sheet(NOTES_SHEET).append(["说明"])
    book.create_sheet("空表")
    book.save(folder / "normal.xlsx")
    same_as_openpyxl(folder / "normal.xlsx")
    # … and a write-only one (inline strings, rows appended one after another).
    book = Workbook(write_only=True)
    sheet = book.create_sheet("到位资金")
    for row in rows:
        sheet.append(row)
    book.save(folder / "write_only.xlsx")
    same_as_openpyxl(folder / "write_only.xlsx")


def test_a_long_sheet_with_long_texts_reads_across_the_parse_chunks(tmp_path):
    """Texts and rows cut by the 64 KB chunks the reader feeds expat."""
    rng = random.Random(15)
    words = ["长", "文本", "资金", "项目", "&", "<", " ", "x005F_", "é"]
    long_text = "".join(rng.choice(words) for _ in range(9_000))  # under 32,767 characters
    book = Workbook(write_only=True)
    sheet = book.create_sheet("项目")
    for n in range(3000):
        text = "".join(rng.choice(words) for _ in range(n % 97))
        sheet.append([f"B-{n:06d}", text, n * 1.25, dt.date(2025, 1, 1), None, n])
    sheet.append([long_text])
    book.save(tmp_path / "long.xlsx")
    rows = same_as_openpyxl(tmp_path / "long.xlsx")["项目"]
    assert len(rows) == 3001
    assert rows[7][0] == "B-000007"
    assert rows[7][2:] == (8.75, dt.datetime(2025, 1, 1), None, 7)
    assert rows[-1] == (long_text,)


# --- hand-written XML ----------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def xlsx(
    sheet_data: str,
    *,
    shared: str | None = None,
    styles: str | None = None,
    workbook_pr: str = "",
    sheets: tuple[str, ...] = ("项目",),
) -> bytes:
    """A minimal package around hand-written <sheetData> (the same data in every sheet)."""
    overrides = [
        f'<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>',
        *(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{TYPE}.worksheet+xml"/>'
            for n in range(1, len(sheets) + 1)
        ),
    ]
    rels = [
        f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    ]
    parts = {}
    if shared is not None:
        overrides.append(
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{shared}</sst>'
    if styles is not None:
        rels.append(f'<Relationship Id="rIdT" Type="{RELS}/styles" Target="styles.xml"/>')
        parts["xl/styles.xml"] = f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>'
    sheet_elements = "".join(
        f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(sheets, 1)
    )
    parts |= {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(overrides)
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">{workbook_pr}'
            f"<sheets>{sheet_elements}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}">{"".join(rels)}</Relationships>'
        ),
    }
    for n in range(1, len(sheets) + 1):
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            f'<worksheet xmlns="{MAIN}"><dimension ref="A1:A1"/>'
            f"<sheetData>{sheet_data}</sheetData></worksheet>"
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def written(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "book.xlsx"
    path.write_bytes(content)
    return path


def test_shared_strings_with_rich_text_runs_and_phonetic_runs(tmp_path):
    shared = (
        "<si><t>plain</t></si>"
        '<si><r><t>富</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 文本 </t></r></si>'
        "<si><t>漢字</t><rPh sb='0' eb='2'><t>かんじ</t></rPh><phoneticPr fontId='1'/></si>"
        "<si><t/></si>"
        "<si><t>a_x005F_x000D_b</t></si>"
        "<si><t>&lt;tag&gt; &amp; &#x4E2D;</t></si>"
    )
    cells = "".join(f'<c r="{col}1" t="s"><v>{n}</v></c>' for n, col in enumerate("ABCDEF"))
    path = written(tmp_path, xlsx(f'<row r="1">{cells}</row>', shared=shared))
    rows = same_as_openpyxl(path)["项目"]
    assert rows == [("plain", "富 文本 ", "漢字", "", "a_x000D_b", "<tag> & 中")]


def test_inline_strings_with_runs_and_typed_cells(tmp_path):
    row = (
        '<row r="1">'
        '<c r="A1" t="inlineStr"><is><t>inline</t></is></c>'
        '<c r="B1" t="inlineStr"><is><r><t>rich</t></r><r><t> run</t></r></is></c>'
        '<c r="C1" t="inlineStr"><is><t>字</t><rPh sb="0" eb="1"><t>じ</t></rPh></is></c>'
        '<c r="D1" t="inlineStr"/>'
        '<c r="E1" t="str"><v>text formula result</v></c>'
        '<c r="F1" t="b"><v>1</v></c>'
        '<c r="G1" t="e"><v>#N/A</v></c>'
        '<c r="H1" t="d"><v>2025-03-04T05:06:07</v></c>'
        '<c r="I1"><v>1.5E3</v></c>'
        '<c r="J1" t="n"><v></v></c>'
        '<c r="K1"><f>SUM(A2:A3)</f><v>3</v></c>'
        '<c r="L1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        "</row>"
    )
    path = written(tmp_path, xlsx(row))
    assert same_as_openpyxl(path)["项目"] == [
        (
            "inline",
            "rich run",
            "字",
            None,
            "text formula result",
            True,
            "#N/A",
            dt.datetime(2025, 3, 4, 5, 6, 7),
            1500.0,
            None,
            "=SUM(A2:A3)",
            '="a"&"b"',
        )
    ]
    # the cached values when the formulas are not wanted
    assert our_rows(path, data_only=True)["项目"][0][10:] == (3, "ab")


def test_rows_and_cells_without_r_gaps_and_repeated_rows(tmp_path):
    rows = (
        "<row><c><v>1</v></c><c><v>2</v></c></row>"  # row 1, A and B
        '<row r="4"><c r="C4"><v>3</v></c><c><v>4</v></c></row>'  # rows 2 and 3 missing
        "<row/>"  # row 5, no cell
        '<row r="5"><c r="A5"><v>9</v></c></row>'  # row 5 again: skipped, as openpyxl does
        '<row r="7.0" spans="1:2"><c r="B7"><v>5</v></c><c r="A7"><v>6</v></c></row>'
    )
    path = written(tmp_path, xlsx(rows))
    assert same_as_openpyxl(path)["项目"] == [
        (1, 2),
        [],
        [],
        (None, None, 3, 4),
        (),
        [],
        (6,),  # as wide as its last cell: B7, written before A7, is dropped by openpyxl too
    ]


def test_dates_by_style_in_both_calendars(tmp_path):
    styles = (
        '<numFmts count="2">'
        '<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '<numFmt numFmtId="165" formatCode="0.00"/></numFmts>'
        '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
        '<xf numFmtId="165"/><xf numFmtId="22"/><xf numFmtId="46"/></cellXfs>'
    )
    row = (
        '<row r="1"><c r="A1" s="0"><v>45000</v></c><c r="B1" s="1"><v>45000</v></c>'
        '<c r="C1" s="2"><v>45000</v></c><c r="D1" s="3"><v>45000</v></c>'
        '<c r="E1" s="4"><v>45000.5</v></c><c r="F1" s="5"><v>1.25</v></c>'
        '<c r="G1" s="1"><v>99999999</v></c></row>'
    )
    for pr, day in (("", dt.datetime(2023, 3, 15)), ('<workbookPr date1904="1"/>', None)):
        path = written(tmp_path, xlsx(row, styles=styles, workbook_pr=pr))
        with pytest.warns(UserWarning, match="outside the limits for dates"):
            values = same_as_openpyxl(path)["项目"][0]
        day = day or dt.datetime(2027, 3, 16)  # 1904 calendar: 1,462 days later
        assert values == (
            45000,
            day,
            day,
            45000,
            day + dt.timedelta(hours=12),
            dt.timedelta(days=1, hours=6),
            "#VALUE!",
        )


def test_sheet_order_and_names_come_from_the_workbook_and_the_notes_are_left_out(tmp_path):
    path = written(
        tmp_path,
        xlsx('<row r="1"><c r="A1"><v>1</v></c></row>', sheets=("到位资金", NOTES_SHEET, "项目")),
    )
    book = open_workbook(path)
    assert book.sheetnames == ["到位资金", "项目"]
    assert [s.title for s in book.worksheets] == ["到位资金", "项目"]
    with pytest.raises(KeyError):
        book[NOTES_SHEET]
    book.close()


def test_a_file_object_and_the_refusals_still_come_first(tmp_path):
    content = xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>上传</t></is></c></row>')
    assert our_rows(io.BytesIO(content), data_only=False) == {"项目": [("上传",)]}
    with pytest.raises(WorkbookError, match="DTD"):
        open_workbook(io.BytesIO(_with_dtd(content)))


def _with_dtd(content: bytes) -> bytes:
    """The same package with a DTD in its sheet (refused by the checks, before reading)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + data
            archive.writestr(info.filename, data)
    return buffer.getvalue()


@pytest.mark.parametrize("value", [Decimal("12345678.1234"), Decimal("-0.5"), Decimal(7)])
def test_decimals_come_back_as_openpyxl_gives_them(tmp_path, value):
    book = Workbook()
    book.active.append([value])
    book.save(tmp_path / "d.xlsx")
    assert same_as_openpyxl(tmp_path / "d.xlsx")["Sheet"] == [
        (float(value) if value % 1 else int(value),)
    ]
