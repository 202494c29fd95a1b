"""One selector per home card (STYLE.md: later capabilities add cards, not rewrites).

Each returns plain figures for one card; the query count of every card stays flat whatever
the amount of data (tests/portal/test_homes.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from deposits import selectors as deposit_selectors
from deposits import settlement as deposit_rules
from projects.models import Inflow, InflowStatus, Project
from rewards.models import ClaimStatus
from rewards.selectors import claim_queue
from targets import closes, progress
from targets.reports import ProgressReport, ranking_boards
from targets.selectors import year_settings

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
    counted = Counter(row.worst_status for row in report.units if row.has_quota)
    return {status: counted.get(status, 0) for status in progress.STATUS_LABELS}


def top_and_bottom(report: ProgressReport) -> dict[str, list]:
    """Leader: the 红黑榜 of today's ranking by the year's scheme (综合得分): the first and
    the last N places (N a setting of the year), ties at the cut included, never overlapping."""
    top, bottom = ranking_boards(report)
    return {"top": top, "bottom": bottom, "size": report.board_size}


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
    """Commerce: pending inflows and how many days the oldest has waited."""
    figures = Inflow.objects.for_user(user).aggregate(
        pending=Count("id", filter=Q(status=InflowStatus.PENDING)),
        oldest=Min("created_at", filter=Q(status=InflowStatus.PENDING)),
        flagged=Count("id", filter=Q(status=InflowStatus.PENDING, amount_flagged=True)),
    )
    oldest = figures["oldest"]
    waiting = (today - timezone.localdate(oldest)).days if oldest else None
    return {"pending": figures["pending"], "flagged": figures["flagged"], "oldest_days": waiting}


def duplicate_flagged_count(user) -> int:
    """Commerce: projects flagged 疑似重复统计 that wait for a decision."""
    return Project.objects.for_user(user).filter(duplicate_flagged=True).count()


def my_inflows(user) -> dict:
    """Clerk: the unit's returned and pending inflows."""
    return Inflow.objects.for_user(user).aggregate(
        returned=Count("id", filter=Q(status=InflowStatus.RETURNED)),
        pending=Count("id", filter=Q(status=InflowStatus.PENDING)),
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
