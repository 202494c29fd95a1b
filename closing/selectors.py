"""Every read of closing that is more than a filter: the year's months and their closes,
the changes since a close, the city comparison. Scoped to the user where units show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from closing.models import Bulletin, BulletinTemplate, CityFigure
from common.rounding import shown
from common.rules import is_district_wide
from projects.models import Inflow, InflowStatus
from targets import closes
from targets import indicators as codes
from targets.models import CapitalType, Indicator, PeriodClose
from targets.reports import ProgressReport, build_report

CHANGE_CAP = 500  # inflows listed on the changes page; the totals above cover them all


def year_months(year: int, today: dt.date | None = None) -> list[dict]:
    """The twelve months of ``year``: ended or not, the close in force, every close and
    reopening in the history (newest first)."""
    today = today or timezone.localdate()
    history = list(
        PeriodClose.objects.filter(year__year=year)
        .order_by("month", "-closed_at")
        .defer("snapshot")
    )
    months = []
    for month in range(1, 13):
        end = closes.month_end(year, month)
        rows = [c for c in history if c.month == month]
        months.append(
            {
                "month": month,
                "end": end,
                "ended": end < today,
                "close": next((c for c in rows if c.state == "closed"), None),
                "history": rows,
            }
        )
    return months


def _counted_indicator(inflow: Inflow, home_province: str) -> str | None:
    project = inflow.project
    if project.capital_type == CapitalType.FOREIGN:
        return codes.FDI_ACTUAL
    if project.origin != home_province:
        return codes.DOMESTIC_ACTUAL
    return None


def changed_inflows(user, close: PeriodClose, report: ProgressReport) -> list[dict]:
    """Inflows verified after the close whose arrival date falls in 1–N月: counted in the
    live figures, not in the frozen ones (the user's own unit only, for a clerk)."""
    end = dt.date.fromisoformat(close.snapshot["as_of"])
    names = {ind.code: ind for ind in report.indicators}
    inflows = (
        Inflow.objects.for_user(user)
        .filter(
            status=InflowStatus.VERIFIED,
            verified_at__gt=close.closed_at,
            arrived_on__gte=dt.date(end.year, 1, 1),
            arrived_on__lte=end,
        )
        .select_related("project", "project__unit")
        .order_by("verified_at", "pk")[:CHANGE_CAP]
    )
    out = []
    for inflow in inflows:
        code = _counted_indicator(inflow, report.home_province)
        if code is None:
            continue
        out.append({"inflow": inflow, "unit": inflow.project.unit, "indicator": names.get(code)})
    return out


def figure_changes(user, frozen: ProgressReport, live: ProgressReport) -> list[dict]:
    """Every unit × indicator (and the district, for district roles) whose live 完成数
    differs from the frozen one."""
    district_wide = user is None or is_district_wide(user)
    frozen_rows = {row.unit.pk: row for row in frozen.units}
    out = []
    for row in live.units:
        if not district_wide and row.unit.pk != getattr(user, "unit_id", None):
            continue
        before = frozen_rows.get(row.unit.pk)
        for ind in live.indicators:
            old = before.cells[ind.code].actual if before else Decimal(0)
            new = row.cells[ind.code].actual
            if shown(old) != shown(new):
                out.append(
                    {
                        "unit": row.unit,
                        "indicator": ind,
                        "frozen": old,
                        "live": new,
                        "delta": new - old,
                    }
                )
    if district_wide:
        for ind in live.indicators:
            old, new = frozen.district[ind.code].actual, live.district[ind.code].actual
            if shown(old) != shown(new):
                out.append(
                    {"unit": None, "indicator": ind, "frozen": old, "live": new, "delta": new - old}
                )
    return out


def changes_since_close(user, year: int, month: int) -> dict | None:
    """The close in force and what changed since: None when the month is not closed."""
    close = closes.live_close(year, month)
    if close is None:
        return None
    frozen = closes.thaw(close.year, close.snapshot)
    live = build_report(close.year, frozen.as_of)
    return {
        "close": close,
        "frozen": frozen,
        "figures": figure_changes(user, frozen, live),
        "inflows": changed_inflows(user, close, live),
        "cap": CHANGE_CAP,
    }


def city_comparison(year: int, month: int) -> dict:
    """Per indicator: the frozen district total, the city's figure, their difference and the
    explanation (the frozen total is empty while the month is not closed)."""
    close = closes.live_close(year, month)
    frozen = closes.thaw(close.year, close.snapshot) if close else None
    indicators = list(Indicator.objects.order_by("display_order"))
    figures = {
        f.indicator_id: f
        for f in CityFigure.objects.filter(year__year=year, month=month).select_related(
            "entered_by"
        )
    }
    rows = []
    for ind in indicators:
        district = (
            frozen.district[ind.code].actual if frozen and ind.code in frozen.district else None
        )
        city = figures.get(ind.pk)
        places = 0 if ind.is_count else 2
        difference = (
            shown(city.amount, places) - shown(district, places)
            if city is not None and district is not None
            else None
        )
        rows.append(
            {"indicator": ind, "district": district, "city": city, "difference": difference}
        )
    return {"close": close, "rows": rows}


def bulletins():
    return Bulletin.objects.select_related("year").order_by("-issued_at", "-pk")


def current_template():
    """The template the 通报 use: the newest upload (None: the default of the repository)."""
    return BulletinTemplate.objects.select_related("uploaded_by").first()
