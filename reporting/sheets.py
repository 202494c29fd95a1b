"""The pipeline's sheet of the 1–N月 workbook (targets.exports): 履约率 and 成功率 per unit
and for the district, from the projects' real 开工日期 and 投产日期."""

from __future__ import annotations

from django.conf import settings

from common.rounding import shown_percent
from projects.selectors import fulfilment_rates

PIPELINE_HEADER = [
    "单位",
    "签约项目（个）",
    "已开工（个）",
    "已投产（个）",
    "履约率（%）",
    "成功率（%）",
]
TWO_PLACES = "0.00"


def _row(name: str, item) -> list:
    return [
        name,
        item.signed,
        item.started,
        item.produced,
        None if item.fulfilment is None else shown_percent(item.fulfilment),
        None if item.success is None else shown_percent(item.success),
    ]


def pipeline_sheet(report) -> tuple:
    rates = fulfilment_rates(report.year, report.as_of)
    rows = [_row(item.unit_name, item) for item in rates["units"]]
    rows.append(_row(f"{settings.DISTRICT_NAME}（全区）", rates["district"]))
    return "履约率与成功率", PIPELINE_HEADER, rows, {4: TWO_PLACES, 5: TWO_PLACES}
