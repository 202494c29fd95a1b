"""Workbooks of the progress figures, through the shared writer (common.xlsx).

- :func:`report_workbook`: the portal's monthly "1–N月" report for people (the district's
  summary, the ranking of units, the detail rows);
- :func:`contract_workbook`: ``progress_report --format xlsx``, one sheet with exactly the
  CSV's columns and values (WORKBOOK.md).

Every figure is written as it is shown (common.rounding, 四舍五入), so a workbook and the
page it came from always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from django.conf import settings
from django.utils import translation
from openpyxl import Workbook

from common.rounding import shown
from common.xlsx import write_sheet
from targets.reports import (
    CSV_HEADER,
    DISTRICT_CODE,
    RANKING_HEADER,
    ProgressReport,
    figure_values,
    quantity,
    ranking_boards,
    ranking_places,
    ranking_value_rows,
    value_rows,
)

TWO_PLACES = "0.00"
# Columns of CSV_HEADER that are percentages or points (always two decimals).
PERCENT_COLUMNS = (5, 6, 7, 9)


def summary_rows(report: ProgressReport):
    for ind in report.indicators:
        cell = report.district[ind.code]
        *figures, status = figure_values(cell, ind.is_count)
        yield [
            ind.name,
            ind.measure_label,
            *figures,
            status or "—",
            "同比下降" if cell.falling else "",
        ]


SUMMARY_HEADER = ["指标", "计量单位", "年度任务", "累计完成", "完成率(%)", "序时进度(%)",
                  "超欠序时进度(百分点)", "去年同期", "同比增长(%)", "状态", "同比"]  # fmt: skip


def ranking_rows(report: ProgressReport):
    for place, row in ranking_places(report):
        out = [
            place,
            row.unit.code,
            row.unit.name,
            row.unit.get_kind_display(),
            shown(row.base_score),
            shown(row.adjustment_points),
            shown(row.score),
        ]
        for ind in report.indicators:
            cell = row.cells[ind.code]
            out.extend(
                [
                    quantity(cell.quota, ind.is_count),
                    quantity(cell.actual, ind.is_count),
                    cell.shown_rate,
                ]
            )
        yield out


def ranking_header(report: ProgressReport) -> list[str]:
    header = ["名次", "单位编码", "单位名称", "单位类型", "得分", "加减分", "综合得分"]
    for ind in report.indicators:
        unit = ind.measure_label
        header.extend(
            [f"{ind.name}任务({unit})", f"{ind.name}完成({unit})", f"{ind.name}完成率(%)"]
        )
    return header


BOARD_HEADER = ["榜单", "名次", "单位编码", "单位名称", "综合得分"]


def board_rows(report: ProgressReport):
    """红黑榜: the top and the bottom N of the ranking, ties at the cut included."""
    top, bottom = ranking_boards(report)
    for label, places in (("红榜", top), ("黑榜", bottom)):
        for place, row in places:
            yield [label, place, row.unit.code, row.unit.name, shown(row.score)]


# progress_report's columns for people: the indicator by its Chinese name, with its unit.
DETAIL_HEADER = [*CSV_HEADER[:3], "计量单位", *CSV_HEADER[3:]]


def detail_rows(report: ProgressReport):
    """progress_report's rows for people: the district named by its name rather than its
    code, each indicator by its name (实际到位外资, not fdi_actual) and its unit (万美元)."""
    for unit_row in report.units:
        for ind in report.indicators:
            yield [
                unit_row.unit.code,
                unit_row.unit.name,
                ind.name,
                ind.measure_label,
                *figure_values(unit_row.cells[ind.code], ind.is_count),
            ]
    for ind in report.indicators:
        yield [
            DISTRICT_CODE,
            settings.DISTRICT_NAME,
            ind.name,
            ind.measure_label,
            *figure_values(report.district[ind.code], ind.is_count),
        ]


# Sheets that apps above targets add to the 1–N月 workbook (the pipeline's 履约率 and 成功率,
# reporting.apps): each a function of the report returning (sheet name, header, rows,
# number formats by column). targets calls them without importing their apps.
EXTRA_SHEETS: list[Callable[[ProgressReport], tuple]] = []


def register_report_sheet(build: Callable[[ProgressReport], tuple]) -> None:
    if build not in EXTRA_SHEETS:
        EXTRA_SHEETS.append(build)


def report_workbook(report: ProgressReport, *, frozen: bool = False) -> Workbook:
    """The report is a Chinese document (its sheet names and headers are): built in
    Chinese whatever language the page that asked for it was in. ``frozen``: the figures
    are those of the month's close (关账), else the live ones; the title says which."""
    with translation.override("zh-hans"):
        return _report_workbook(report, frozen)


def _report_workbook(report: ProgressReport, frozen: bool = False) -> Workbook:
    workbook = Workbook(write_only=True)
    title = (
        f"{settings.DISTRICT_NAME}招商引资主要指标完成情况（{report.year}年{report.months_label}）"
        + ("〔关账数据〕" if frozen else "〔实时数据〕")
    )
    write_sheet(
        workbook,
        f"{report.months_label}汇总",
        SUMMARY_HEADER,
        list(summary_rows(report)),
        number_formats=dict.fromkeys((4, 5, 6, 8), TWO_PLACES),
        title=title,
    )
    write_sheet(
        workbook,
        "单位排名",
        ranking_header(report),
        list(ranking_rows(report)),
        number_formats=dict.fromkeys((4, 5, 6), TWO_PLACES),
        title=f"{title}·责任单位排名",
    )
    write_sheet(
        workbook,
        "红黑榜",
        BOARD_HEADER,
        list(board_rows(report)),
        number_formats={4: TWO_PLACES},
        title=f"{title}·红黑榜（各 {report.board_size} 名，并列的一并列入）",
    )
    for build in EXTRA_SHEETS:
        name, header, rows, formats = build(report)
        write_sheet(workbook, name, header, rows, number_formats=formats, title=f"{title}·{name}")
    write_sheet(
        workbook,
        "明细",
        DETAIL_HEADER,
        list(detail_rows(report)),
        number_formats=dict.fromkeys((c + 1 for c in PERCENT_COLUMNS), TWO_PLACES),
    )
    return workbook


def contract_workbook(report: ProgressReport) -> Workbook:
    """``progress_report --format xlsx``: one sheet, exactly the CSV's columns and values."""
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        "progress_report",
        CSV_HEADER,
        list(value_rows(report)),
        number_formats=dict.fromkeys(PERCENT_COLUMNS, TWO_PLACES),
    )
    return workbook


def _bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_workbook_bytes(report: ProgressReport, *, frozen: bool = False) -> bytes:
    return _bytes(report_workbook(report, frozen=frozen))


def contract_workbook_bytes(report: ProgressReport) -> bytes:
    return _bytes(contract_workbook(report))


def ranking_contract_workbook(report: ProgressReport) -> Workbook:
    """``ranking_report --format xlsx``: one sheet, exactly the CSV's columns and values."""
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        "ranking_report",
        RANKING_HEADER,
        list(ranking_value_rows(report)),
        number_formats=dict.fromkeys((4, 5, 6), TWO_PLACES),
    )
    return workbook


def ranking_contract_workbook_bytes(report: ProgressReport) -> bytes:
    return _bytes(ranking_contract_workbook(report))
