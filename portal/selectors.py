"""One selector per home card (STYLE.md: later capabilities add cards, not rewrites).

Each returns plain figures for one card; the query count of every card stays flat whatever
the amount of data (tests/portal/test_homes.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.paginator import bounded_total
from deposits import selectors as deposit_selectors
from deposits import settlement as deposit_rules
from followup.models import WAITING_FOR_UNIT, State, Supervision
from projects.models import Inflow, InflowStatus, Project
from reporting import forecast
from rewards.models import ClaimStatus
from rewards.selectors import claim_queue
from targets import closes, progress, report_cache
from targets.charts import cumulative_chart
from targets.period import month_name
from targets.reports import ProgressReport, ranking_boards
from targets.selectors import district_series, year_settings

TOP = 5


def progress_report(today: dt.date) -> ProgressReport:
    """The year's figures up to today: the one report every progress card reads (the frozen
    figures when today ends a closed month)."""
    return closes.report_for(year_settings(today.year), today)[0]


def district_cards(report: ProgressReport) -> list[dict]:
    """Leader: one card per indicator (actual, quota, completion vs 序时进度, status)."""
    return [{"indicator": ind, "cell": report.district[ind.code]} for ind in report.indicators]


def status_counts(report: ProgressReport) -> dict[str, int]:
    """Leader: how many units with a task are green, yellow and red (their worst indicator)."""

    def count() -> dict[str, int]:
        counted = Counter(row.worst_status for row in report.units if row.has_quota)
        return {status: counted.get(status, 0) for status in progress.STATUS_LABELS}

    return report_cache.derived(report, "status counts", count)


def top_and_bottom(report: ProgressReport) -> dict[str, list]:
    """Leader: the 红黑榜 of today's ranking by the year's scheme (综合得分): the first and
    the last N places (N a setting of the year), ties at the cut included, never overlapping."""
    top, bottom = ranking_boards(report)
    return {"top": top, "bottom": bottom, "size": report.board_size}


def district_trend(report: ProgressReport) -> list[dict]:
    """Leader: per indicator, the district's cumulative actual at each completed month-end
    against the schedule line (task × m/12), as the dashboard draws it, with the figures as a
    table for those who do not see the chart. One query whatever the data."""
    series = district_series(report.year, report.indicator_codes)
    done = progress.completed_months(report.as_of)
    trends = []
    for ind in report.indicators:
        quota = report.district[ind.code].quota
        actual = [v if month < done else None for month, v in enumerate(series[ind.code])]
        rows = [
            {
                "month": month_name(m),
                "actual": value,
                "schedule": progress.schedule_target(quota, Decimal(m) / progress.TWELVE),
            }
            for m, value in enumerate(actual, start=1)
            if value is not None
        ]
        title = _("%(name)s：累计完成与序时进度") % {"name": ind.label}
        measure = ind.get_measure_display()
        trends.append(
            {
                "indicator": ind,
                "chart": cumulative_chart(actual, quota, title, measure),
                "rows": rows,
            }
        )
    return trends


def lagging_units(report: ProgressReport) -> list:
    """Commerce: the units 严重滞后 (red on at least one indicator), in roster order."""
    return [row.unit for row in report.units if row.worst_status == progress.RED]


def unit_progress(report: ProgressReport, unit) -> list[dict]:
    """Clerk: the unit's own card per indicator with a task (a row of the ranking)."""
    row = next((r for r in report.units if r.unit.pk == getattr(unit, "pk", None)), None)
    if row is None:
        return []
    return [
        {"indicator": ind, "cell": row.cells[ind.code]}
        for ind in report.indicators
        if row.cells[ind.code].quota is not None
    ]


def verification_queue(user, today: dt.date) -> dict:
    """Commerce: pending inflows and how many days the oldest has waited.

    Three small queries that each read an index of the pending money alone (projects.models),
    counting up to LIST_COUNT_CAP ("超过 N 笔" past it), so a long queue costs no more than
    a short one."""
    pending = Inflow.objects.for_user(user).filter(status=InflowStatus.PENDING)
    oldest = pending.order_by("created_at", "id").values_list("created_at", flat=True).first()
    waiting = (today - timezone.localdate(oldest)).days if oldest else None
    cap = settings.LIST_COUNT_CAP
    return {
        "pending": bounded_total(pending, cap),
        "flagged": bounded_total(pending.filter(amount_flagged=True), cap),
        "oldest_days": waiting,
    }


def duplicate_flagged_count(user) -> int:
    """Commerce: projects flagged 疑似重复统计 that wait for a decision."""
    return Project.objects.for_user(user).filter(duplicate_flagged=True).count()


def my_inflows(user) -> dict:
    """Clerk: the unit's returned and pending inflows (read from the index of the open ones
    by unit, projects_inflow_open)."""
    return (
        Inflow.objects.for_user(user)
        # In the order of the index's condition: PostgreSQL then knows the condition is the
        # index's own; in another order it takes it for one more filter, expects a twelfth of
        # the rows and ANDs the district's open money from another index (12 ms at 1.1M).
        .filter(status__in=[InflowStatus.PENDING, InflowStatus.RETURNED])
        .aggregate(
            returned=Count("id", filter=Q(status=InflowStatus.RETURNED)),
            pending=Count("id", filter=Q(status=InflowStatus.PENDING)),
        )
    )


def deposits_card(user, today: dt.date) -> dict:
    """Finance (and the clerk, for their own unit): the year's deposits, paid and unpaid."""
    year = year_settings(today.year)
    # A year nobody set up (unsaved settings) has no quotas, so nobody owes a deposit.
    rows = deposit_selectors.board_rows(year, user, today) if year.pk else []
    totals = deposit_selectors.board_totals(rows, year.deposit_amount)
    unpaid = [r for r in rows if r["amount"] is None]
    return {
        "year": year.year,
        "due": year.deposit_due_date,
        "expected": year.deposit_amount,
        "totals": totals,
        "unpaid": unpaid,
        "overdue": [r for r in unpaid if r["status"] == deposit_rules.OVERDUE],
    }


def claims_waiting(user) -> dict:
    """Finance: claims at finance's step — 待审批 (reviewed) and 待兑现 (approved)."""
    figures = claim_queue(user).aggregate(
        to_approve=Count("id", filter=Q(status=ClaimStatus.REVIEWED)),
        to_pay=Count("id", filter=Q(status=ClaimStatus.APPROVED)),
        amount=Sum("amount"),
    )
    figures["total"] = figures["to_approve"] + figures["to_pay"]
    return figures


def forecast_warnings(report: ProgressReport, size: int = TOP) -> dict:
    """Leader and commerce: the 预警 of the year-end forecast (from July, a setting): how many
    deposit-deciding quotas the forecast misses, in how many units, and the worst few."""
    if not forecast.warnings_shown(report.as_of):
        return {"shown": False}
    found = forecast.warnings(forecast.kept_forecasts(report))
    return {
        "shown": True,
        "count": len(found),
        "units": len({item.unit.pk for item in found}),
        "worst": found[:size],
    }


def supervision_counts(user, today: dt.date) -> dict[str, int]:
    """督办单 the user may see: waiting for the unit, waiting for the bureau, overdue (past the
    deadline and not closed). One aggregate query."""
    return Supervision.objects.for_user(user).aggregate(
        waiting_unit=Count("pk", filter=Q(state__in=WAITING_FOR_UNIT)),
        waiting_bureau=Count("pk", filter=Q(state=State.REPLIED)),
        overdue=Count("pk", filter=~Q(state=State.CLOSED) & Q(deadline__lt=today)),
    )
