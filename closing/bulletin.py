"""The monthly 通报 (bulletin): its figures as data, a Word file from the bureau's template
(docxtpl), and the same data for the printable page.

The sentences follow DOMAIN.md: "1–N月，全区实际到位外资X万美元，完成年度任务的Y%，超（欠）
序时进度Z个百分点，同比增长W%"; every figure goes through common.rounding (四舍五入, once).
The bulletin is a Chinese document whatever the language of the page that asked for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate

from closing.models import BulletinTemplate
from common.rounding import grouped, shown, shown_percent
from targets import closes, progress
from targets.models import AssessmentYear
from targets.reports import Cell, build_report, ranking_boards, ranking_places

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates_docx" / "bulletin.docx"


def _figure(value: Decimal, count: bool) -> str:
    return f"{int(shown(value, 0)):,}" if count else grouped(value)


def _pct(value: Decimal | None) -> str:
    return f"{shown_percent(value)}"


def indicator_sentence(label: str, name: str, measure: str, cell: Cell, count: bool) -> str:
    """One indicator of the district in the usual sentence (DOMAIN.md)."""
    parts = [f"{label}，全区{name}{_figure(cell.actual, count)}{measure}"]
    if cell.rate is not None:
        parts.append(f"完成年度任务的{_pct(cell.rate)}%")
        points = cell.points
        word = "超" if points >= 0 else "欠"
        parts.append(f"{word}序时进度{abs(points)}个百分点")
    growth = cell.growth
    if growth is not None:
        shown_growth = shown_percent(growth)
        if shown_growth < 0:
            parts.append(f"同比下降{abs(shown_growth)}%")
        else:
            parts.append(f"同比增长{shown_growth}%")
    elif cell.last_year == 0:
        parts.append("去年同期无")
    return "，".join(parts) + "。"


def _place_rows(places) -> list[dict]:
    return [
        {
            "place": place,
            "code": row.unit.code,
            "name": row.unit.name,
            "score": _score(closes.unit_score(row)),
            "status": progress.STATUS_LABELS.get(row.worst_status, ""),
        }
        for place, row in places
    ]


def _score(value: Decimal | None) -> str:
    """综合得分 as shown: points with two decimals (四舍五入)."""
    return "" if value is None else f"{shown(value)}"


def _names(places) -> str:
    return "、".join(row.unit.name for _place, row in places) or "无"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def bulletin_data(
    year_settings: AssessmentYear, end: dt.date, *, number: str = "", today: dt.date | None = None
) -> dict:
    """Everything the 通报 says for 1–N月 (N = ``end``'s month): the frozen figures when the
    month is closed, else the live ones (then ``closed`` is False and the title says 未关账)."""
    with translation.override("zh-hans"):
        return _bulletin_data(year_settings, end, number, today or timezone.localdate())


def _bulletin_data(year_settings, end, number, today) -> dict:
    close = closes.live_close(end.year, end.month)
    report = closes.thaw(close.year, close.snapshot) if close else build_report(year_settings, end)
    label = report.months_label
    title = f"关于{end.year}年{label}全区招商引资目标任务完成情况的通报"
    sentences = [
        indicator_sentence(
            label, ind.name, str(ind.get_measure_display()), report.district[ind.code], ind.is_count
        )
        for ind in report.indicators
    ]
    places = ranking_places(report)
    red, black = ranking_boards(report, places)  # the scheme's 红黑榜, ties at the cut
    lagging = [row.unit.name for row in report.units if row.worst_status == progress.RED]
    return {
        "district": settings.DISTRICT_NAME,
        "year": end.year,
        "month": end.month,
        "months_label": label,
        "title": title + ("" if close else "（未关账）"),
        "number": number.strip(),
        "closed": close is not None,
        "status_note": (
            f"以上为{label}关账数据（{timezone.localtime(close.closed_at):%Y-%m-%d %H:%M}关账）。"
            if close
            else f"{label}尚未关账，以上为实时数据，可能变动（未关账）。"
        ),
        "schedule": _pct(report.schedule),
        "sentences": sentences,
        "ranking": _place_rows(places),
        "red_list": _names(red),
        "black_list": _names(black),
        "lagging": "、".join(lagging) or "无",
        "lagging_count": len(lagging),
        "date": chinese_date(today),
        "issuer": f"{settings.DISTRICT_NAME}商务局",
    }


def template_bytes() -> bytes:
    """The newest template the bureau uploaded, else the default one of the repository."""
    uploaded = BulletinTemplate.objects.first()
    if uploaded is not None:
        with uploaded.file.open("rb") as handle:
            return handle.read()
    return DEFAULT_TEMPLATE.read_bytes()


def render_docx(data: dict, template: bytes | None = None) -> bytes:
    """The 通报 as a .docx: ``data`` filled into the Word template."""
    document = DocxTemplate(BytesIO(template if template is not None else template_bytes()))
    document.render(data, autoescape=True)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


SAMPLE = {
    "district": "示例区", "year": 2026, "month": 1, "months_label": "1月", "title": "示例",
    "number": "", "closed": True, "status_note": "", "schedule": "8.33", "sentences": ["示例。"],
    "ranking": [{"place": 1, "code": "A", "name": "示例", "score": "1.00", "status": ""}],
    "red_list": "无", "black_list": "无", "lagging": "无", "lagging_count": 0,
    "date": "2026年1月1日", "issuer": "示例",
}  # fmt: skip


def check_template(data: bytes) -> None:
    """A replacement template must be a Word file that renders with the bulletin's fields."""
    try:
        render_docx(SAMPLE, data)
    except Exception as exc:  # a broken zip, bad XML, a template syntax error
        raise ValidationError(
            _("模板无法使用：请上传可用 Word 打开的 .docx 通报模板（%(e)s）。")
            % {"e": " ".join(str(exc).split())[:120] or type(exc).__name__}
        ) from exc
