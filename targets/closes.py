"""Frozen progress reports: what the close (关账) of 1–N月 stored, read back as a report.

The close itself (who may, when, the history) is the closing app's; the frozen figures are
data of targets, so that targets' own pages and exports can show them without knowing the
closing app (STYLE.md: layers point one way). A snapshot holds the inputs of every cell
(quota, actual, last year's figure) plus the schedule and the year's threshold, so a thawed
report recomputes exactly the figures that were shown at the close; the shown 完成率, status,
score and place are stored beside them for anyone reading the JSON.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.rounding import shown
from targets import report_cache
from targets.models import AssessmentYear, CloseState, Indicator, PeriodClose
from targets.reports import Cell, ProgressReport, UnitProgress, build_report, ranking_places
from targets.scoring import Weighting
from units.models import Unit

SNAPSHOT_VERSION = 1


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def closed_month(as_of: dt.date) -> int | None:
    """The month N when ``as_of`` is the last day of N (a 1–N月 report), else None."""
    return as_of.month if as_of == month_end(as_of.year, as_of.month) else None


def unit_score(row: UnitProgress) -> Decimal | None:
    """The figure units are ranked by: 综合得分 by the year's scheme (exact)."""
    return row.score


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _cell(cell: Cell) -> dict:
    return {
        "quota": _text(cell.quota),
        "actual": _text(cell.actual),
        "last_year": _text(cell.last_year),
        "rate": _text(cell.shown_rate),
        "points": _text(cell.points),
        "growth": _text(cell.shown_growth),
        "status": cell.status_label,
    }


def freeze(report: ProgressReport, series: dict[str, list[Decimal]] | None = None) -> dict:
    """The report as JSON-able data (Decimals as strings), with every figure's inputs;
    ``series`` (targets.selectors.monthly_district_series) keeps the dashboard's chart of
    the months 1–N as they stood."""
    places = {row.unit.pk: place for place, row in ranking_places(report)}
    done = closed_month(report.as_of) or 0
    return {
        "series": {
            code: [str(value) for value in values[:done]] for code, values in (series or {}).items()
        },
        "version": SNAPSHOT_VERSION,
        "year": report.year,
        "as_of": report.as_of.isoformat(),
        "last_year_as_of": report.last_year_as_of.isoformat(),
        "schedule": str(report.schedule),
        "schedule_mode": report.schedule_mode,
        "lag_threshold": str(report.lag_threshold),
        "home_province": report.home_province,
        "board_size": report.board_size,
        # The year's scheme lines as they stood (empty: the default weighting of every
        # indicator), so that the thawed 综合得分 is the one computed at the close.
        "scheme": {
            code: {
                "weight": str(line.weight),
                "cap": str(line.cap),
                "decides_deposit": line.decides_deposit,
            }
            for code, line in report.scheme.items()
        },
        "indicators": [ind.code for ind in report.indicators],
        "district": {code: _cell(cell) for code, cell in report.district.items()},
        "units": [
            {
                "id": row.unit.pk,
                "code": row.unit.code,
                "name": row.unit.name,
                "cells": {code: _cell(cell) for code, cell in row.cells.items()},
                "adjustment": str(row.adjustment),
                "base_score": _text(row.base_score),
                "score": _text(unit_score(row)),
                "shown_score": _text(shown(unit_score(row))),
                "place": places.get(row.unit.pk),
            }
            for row in report.units
        ],
    }


def _thawed_cell(data: dict, schedule: Decimal, lag_threshold: Decimal) -> Cell:
    return Cell(
        quota=_decimal(data["quota"]),
        actual=Decimal(data["actual"]),
        last_year=Decimal(data["last_year"]),
        schedule=schedule,
        lag_threshold=lag_threshold,
    )


def thaw(year_settings: AssessmentYear, snapshot: dict) -> ProgressReport:
    """A real ProgressReport built from the stored numbers: every page and export renders
    it as it renders a live one."""
    schedule = Decimal(snapshot["schedule"])
    lag = Decimal(snapshot["lag_threshold"])
    scheme = {
        code: Weighting(
            weight=Decimal(line["weight"]),
            cap=Decimal(line["cap"]),
            decides_deposit=line["decides_deposit"],
        )
        for code, line in snapshot.get("scheme", {}).items()
    }
    by_code = Indicator.objects.in_bulk(snapshot["indicators"], field_name="code")
    indicators = [by_code[code] for code in snapshot["indicators"] if code in by_code]
    units = Unit.objects.in_bulk([entry["id"] for entry in snapshot["units"]])
    rows = []
    for entry in snapshot["units"]:
        # A unit is never deleted while it has figures (PROTECT); an unsaved stand-in keeps
        # the frozen name should that ever change.
        unit = units.get(entry["id"]) or Unit(
            pk=entry["id"], code=entry["code"], name=entry["name"]
        )
        cells = {
            code: _thawed_cell(entry["cells"][code], schedule, lag)
            for code in snapshot["indicators"]
        }
        rows.append(
            UnitProgress(
                unit=unit,
                cells=cells,
                scheme=scheme,
                adjustment=Decimal(entry.get("adjustment", "0")),
            )
        )
    return ProgressReport(
        year=snapshot["year"],
        as_of=dt.date.fromisoformat(snapshot["as_of"]),
        last_year_as_of=dt.date.fromisoformat(snapshot["last_year_as_of"]),
        schedule=schedule,
        schedule_mode=snapshot["schedule_mode"],
        indicators=indicators,
        units=rows,
        district={
            code: _thawed_cell(snapshot["district"][code], schedule, lag)
            for code in snapshot["indicators"]
        },
        lag_threshold=lag,
        home_province=snapshot.get("home_province", year_settings.home_province),
        scheme=scheme,
        board_size=snapshot.get("board_size", year_settings.board_size),
    )


def frozen_series(close: PeriodClose | None) -> dict[str, list[Decimal]] | None:
    """The district's cumulative monthly figures of months 1–N as frozen (None: not kept);
    the months after N read 0, the chart does not show them."""
    stored = (close.snapshot.get("series") if close is not None else None) or None
    if stored is None:
        return None
    return {
        code: [Decimal(v) for v in values] + [Decimal(0)] * (12 - len(values))
        for code, values in stored.items()
    }


def live_close(year: int, month: int) -> PeriodClose | None:
    """The close in force for 1–N月 of ``year`` (None when open or reopened)."""
    return (
        PeriodClose.objects.filter(year__year=year, month=month, state=CloseState.CLOSED)
        .select_related("year")
        .first()
    )


def closed_report(year: int, month: int) -> ProgressReport | None:
    """The frozen 1–N月 report of ``year``, or None when that month is not closed."""
    close = live_close(year, month)
    return None if close is None else thaw(close.year, close.snapshot)


def closed_report_on(as_of: dt.date) -> ProgressReport:
    """The frozen report of the month that ends on ``as_of`` (``--closed`` of the report
    commands); a ValidationError, in Chinese, when there is none."""
    month = closed_month(as_of)
    if month is None:
        raise ValidationError(
            _("截至日期 %(d)s 不是月末，没有关账数据。") % {"d": as_of.isoformat()}
        )
    report = closed_report(as_of.year, month)
    if report is None:
        raise ValidationError(
            _("%(y)d 年 1–%(m)d 月尚未关账，没有关账数据。") % {"y": as_of.year, "m": month}
        )
    return report


def report_for(
    year_settings: AssessmentYear, as_of: dt.date, *, live: bool = False
) -> tuple[ProgressReport, PeriodClose | None]:
    """What a page shows for a period: the frozen report when the month that ends on
    ``as_of`` is closed (unless ``live``), else the live ``build_report``. Returns the
    report and the close in force (also when the live figures were asked for).

    Both are kept while the figures stand (targets.report_cache): pages reuse them until
    the database's figures version moves."""
    version = report_cache.figures_version()
    month = closed_month(as_of)
    close = None
    if month:
        close = report_cache.cached(
            ("close", as_of.year, month), lambda: live_close(as_of.year, month), version
        )
    if close is not None and not live:
        report = report_cache.cached(
            ("frozen", close.pk), lambda: thaw(close.year, close.snapshot), version
        )
        return report, close
    report = report_cache.cached(
        ("live", year_settings.pk, year_settings.year, as_of),
        lambda: build_report(year_settings, as_of),
        version,
    )
    return report, close
