"""Build the default 通报 template (bulletin.docx beside this file) with python-docx.

Run ``python closing/templates_docx/make_template.py`` after changing it. The bureau may
upload its own letterhead template instead; it uses the same docxtpl fields:
``title number sentences status_note schedule ranking red_list black_list lagging
lagging_count date issuer district months_label``. Each ``{{ … }}`` tag sits in one run."""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

HERE = Path(__file__).resolve().parent


def _font(run, size: int, bold: bool = False, colour=None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "SimSun"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    if colour:
        run.font.color.rgb = RGBColor(*colour)


def _para(document, text: str, size: int = 14, *, bold=False, centre=False, colour=None):
    paragraph = document.add_paragraph()
    _font(paragraph.add_run(text), size, bold, colour)
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def build(path: Path) -> None:
    document = Document()
    _para(document, "{{ issuer }}", 22, bold=True, centre=True, colour=(0xC0, 0, 0))
    _para(document, "{{ number }}", 14, centre=True)
    _para(document, "{{ title }}", 18, bold=True, centre=True)
    _para(document, "各责任单位：", 14)
    _para(document, "{%p for s in sentences %}")
    _para(document, "{{ s }}", 14)
    _para(document, "{%p endfor %}")
    _para(document, "序时进度为{{ schedule }}%。{{ status_note }}", 14)
    _para(document, "一、各责任单位综合得分排名", 14, bold=True)
    table = document.add_table(rows=3, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["名次", "责任单位", "综合得分", "状态"], strict=True
    ):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for r in ranking %}"
    cells = table.rows[2].cells
    cells[0].text = "{{ r.place }}"
    cells[1].text = "{{ r.name }}"
    cells[2].text = "{{ r.score }}"
    cells[3].text = "{{ r.status }}"
    row = table.add_row()
    row.cells[0].text = "{%tr endfor %}"
    _para(document, "二、红黑榜", 14, bold=True)
    _para(document, "红榜：{{ red_list }}", 14)
    _para(document, "黑榜：{{ black_list }}", 14)
    _para(document, "三、严重滞后单位", 14, bold=True)
    _para(document, "严重滞后单位（{{ lagging_count }}个）：{{ lagging }}", 14)
    _para(document, "请严重滞后单位认真分析原因，加大跟踪督办力度，确保完成年度目标任务。", 14)
    _para(document, "{{ issuer }}", 14).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _para(document, "{{ date }}", 14).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(path)


if __name__ == "__main__":
    build(HERE / "bulletin.docx")
