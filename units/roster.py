"""Parsing of the roster file (CSV with the 单位 sheet's Chinese headers, UTF-8)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from common.locale import chinese_labels
from units.models import UnitCategory, UnitKind

HEADERS = {"单位编码": "code", "单位名称": "name", "单位类型": "kind", "类别": "category"}
OPTIONAL_HEADERS = {"排序": "display_order", "启用": "is_active"}
REQUIRED = ("单位编码", "单位名称", "单位类型")
KIND_BY_LABEL = chinese_labels(UnitKind.choices)
CATEGORY_BY_LABEL = chinese_labels(UnitCategory.choices, skip_blank=True)


class RosterError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def parse_roster(text: str) -> list[dict]:
    """Rows ready for ``roster_load``; raises RosterError listing every problem found."""
    text = text.lstrip("\ufeff")  # Excel writes a BOM in front of UTF-8 CSV
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise RosterError([_("缺少必填列：%(cols)s") % {"cols": "、".join(missing)}])
    errors: list[str] = []
    rows: list[dict] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for line_no, raw in enumerate(reader, start=2):
        values = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(values.values()):
            continue
        row, row_errors = _roster_row(values, line_no, seen_codes, seen_names)
        if row_errors:
            errors.extend(
                _("第 %(line)d 行：%(msg)s") % {"line": line_no, "msg": m} for m in row_errors
            )
            continue
        seen_codes[row["code"]] = line_no
        seen_names[row["name"]] = line_no
        rows.append(row)
    if errors:
        raise RosterError(errors)
    if not rows:
        raise RosterError([_("名册文件中没有任何单位")])
    return rows


def _roster_row(
    values: dict[str, str], line_no: int, seen_codes: dict[str, int], seen_names: dict[str, int]
) -> tuple[dict, list[str]]:
    """One line of the file: (the unit's row, every problem of the line)."""
    code = values.get("单位编码", "").upper()
    name = values.get("单位名称", "")
    kind_label = values.get("单位类型", "")
    category_label = values.get("类别", "")
    row_errors = []
    if not code:
        row_errors.append(_("单位编码不能为空"))
    if not name:
        row_errors.append(_("单位名称不能为空"))
    if kind_label not in KIND_BY_LABEL:
        row_errors.append(
            _("单位类型“%(value)s”无效，应为 乡镇/街道/园区/区直单位") % {"value": kind_label}
        )
    if category_label and category_label not in CATEGORY_BY_LABEL:
        row_errors.append(
            _("类别“%(value)s”无效，应为 一类单位/重点乡镇 或留空") % {"value": category_label}
        )
    if code in seen_codes:
        row_errors.append(
            _("单位编码 %(code)s 与第 %(line)d 行重复") % {"code": code, "line": seen_codes[code]}
        )
    if name in seen_names:
        row_errors.append(
            _("单位名称 %(name)s 与第 %(line)d 行重复") % {"name": name, "line": seen_names[name]}
        )
    order_text = values.get("排序", "")
    order = line_no * 10
    if order_text:
        if order_text.isdigit():
            order = int(order_text)
        else:
            row_errors.append(_("排序“%(value)s”不是非负整数") % {"value": order_text})
    active_text = values.get("启用", "")
    if active_text and active_text not in {"是", "否"}:
        row_errors.append(_("启用应为 是 或 否"))
    row = {
        "code": code,
        "name": name,
        "kind": KIND_BY_LABEL.get(kind_label, ""),
        "category": CATEGORY_BY_LABEL.get(category_label, ""),
        "display_order": order,
        "is_active": active_text != "否",
    }
    return row, row_errors
