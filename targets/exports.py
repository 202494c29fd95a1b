"""The monthly "1–N月" report as a workbook: the district's summary, the ranking of units,
and the detail rows of progress_report, through the shared writer (common.xlsx)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.conf import settings
from openpyxl import Workbook

from common.xlsx import write_sheet
from targets import progress
from targets.reports import DISTRICT_CODE, ProgressReport, ranking

PCT = "0.00"
AMOUNT = "#,##0.00"


def _pct(value: Decimal | None) -> Decimal | None:
    return progress.percent(value)


def _points(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def summary_rows(report: ProgressReport):
    for ind in report.indicators:
        cell = report.district[ind.code]
        yield [
            ind.name,
            ind.get_measure_display(),
            cell.quota,
            cell.actual,
            _pct(cell.rate),
            _pct(cell.schedule),
            _points(cell.points),
            cell.last_year,
            _pct(cell.growth),
            cell.status_label or "—",
        ]


SUMMARY_HEADER = ["指标", "计量单位", "年度任务", "累计完成", "完成率(%)", "序时进度(%)",
                  "超欠序时进度(百分点)", "去年同期", "同比增长(%)", "状态"]  # fmt: skip


def ranking_rows(report: ProgressReport):
    for place, row in enumerate(ranking(report), start=1):
        out = [
            place,
            row.unit.code,
            row.unit.name,
            row.unit.get_kind_display(),
            _pct(row.mean_rate),
        ]
        for ind in report.indicators:
            cell = row.cells[ind.code]
            out.extend([cell.quota, cell.actual, _pct(cell.rate)])
        yield out


def ranking_header(report: ProgressReport) -> list[str]:
    header = ["名次", "单位编码", "单位名称", "单位类型", "平均完成率(%)"]
    for ind in report.indicators:
        unit = ind.get_measure_display()
        header.extend(
            [f"{ind.name}任务({unit})", f"{ind.name}完成({unit})", f"{ind.name}完成率(%)"]
        )
    return header


def detail_rows(report: ProgressReport):
    def row(code, name, ind, cell):
        return [
            code,
            name,
            ind.code,
            cell.quota,
            cell.actual,
            _pct(cell.rate),
            _pct(cell.schedule),
            _points(cell.points),
            cell.last_year,
            _pct(cell.growth),
        ]

    for unit_row in report.units:
        for ind in report.indicators:
            yield row(unit_row.unit.code, unit_row.unit.name, ind, unit_row.cells[ind.code])
    for ind in report.indicators:
        yield row(DISTRICT_CODE, settings.DISTRICT_NAME, ind, report.district[ind.code])


def report_workbook(report: ProgressReport) -> Workbook:
    from targets.reports import CSV_HEADER

    workbook = Workbook(write_only=True)
    title = (
        f"{settings.DISTRICT_NAME}招商引资主要指标完成情况（{report.year}年{report.months_label}）"
    )
    write_sheet(
        workbook,
        f"{report.months_label}汇总",
        SUMMARY_HEADER,
        list(summary_rows(report)),
        title=title,
    )
    write_sheet(
        workbook,
        "单位排名",
        ranking_header(report),
        list(ranking_rows(report)),
        title=f"{title}·责任单位排名",
    )
    write_sheet(workbook, "明细", CSV_HEADER, list(detail_rows(report)))
    return workbook


def report_workbook_bytes(report: ProgressReport) -> bytes:
    buffer = BytesIO()
    report_workbook(report).save(buffer)
    return buffer.getvalue()
