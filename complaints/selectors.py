"""Reads of complaints: scoped lookups, the statistics and the home cards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from complaints.models import SETTLED_STATES, Complaint, State
from units.models import Unit

SETTLED = Q(state__in=SETTLED_STATES)
ON_TIME = SETTLED & Q(closed_on__lte=F("deadline"))


def complaint_for_user(user, pk: int) -> Complaint:
    """A complaint in the user's scope (a clerk: their unit's), else 404."""
    return get_object_or_404(
        Complaint.objects.for_user(user).select_related("unit", "project", "created_by"), pk=pk
    )


def timeline(complaint: Complaint) -> list:
    """The complaint's events in order, with who and which unit (one query)."""
    return list(complaint.events.select_related("by", "unit"))


@dataclass
class StatsRow:
    label: str
    received: int
    closed: int
    on_time: int
    visited: int
    satisfied: int
    open: int
    overdue: int
    unit: Unit | None = None

    @property
    def on_time_rate(self) -> Decimal | None:
        return Decimal(self.on_time) / Decimal(self.closed) if self.closed else None

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return Decimal(self.satisfied) / Decimal(self.visited) if self.visited else None


def _counts(today: dt.date) -> dict:
    return {
        "received": Count("id"),
        "closed": Count("id", filter=SETTLED),
        "on_time": Count("id", filter=ON_TIME),
        "visited": Count("id", filter=Q(last_satisfied__isnull=False)),
        "satisfied": Count("id", filter=Q(last_satisfied=True)),
        "open": Count("id", filter=~SETTLED),
        "overdue": Count("id", filter=~SETTLED & Q(deadline__lt=today)),
    }


FIGURES = ("received", "closed", "on_time", "visited", "satisfied", "open", "overdue")


def complaint_stats(user, year: int, today: dt.date | None = None) -> dict:
    """Received, closed, closed on time, 回访 and satisfied, per unit and per month of
    receipt, for the complaints received in ``year``; plus the year's total. Three queries
    whatever the number of complaints."""
    today = today or timezone.localdate()
    base = Complaint.objects.for_user(user).filter(received_on__year=year)
    counts = _counts(today)
    by_unit = list(base.values("unit").annotate(**counts).order_by("unit"))
    units = Unit.objects.in_bulk([r["unit"] for r in by_unit if r["unit"]])
    unit_rows = [
        StatsRow(
            label=units[r["unit"]].name if r["unit"] else "",
            unit=units.get(r["unit"]),
            **{k: r[k] for k in FIGURES},
        )
        for r in by_unit
    ]
    unit_rows.sort(key=lambda r: (r.unit is None, getattr(r.unit, "display_order", 0), r.label))
    by_month = {
        r["month"]: r
        for r in base.annotate(month=ExtractMonth("received_on"))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    }
    empty = dict.fromkeys(FIGURES, 0)
    month_rows = [
        StatsRow(label=str(m), **{k: by_month.get(m, empty)[k] for k in FIGURES})
        for m in range(1, 13)
    ]
    total = StatsRow(label="", **{k: sum(getattr(r, k) for r in unit_rows) for k in FIGURES})
    return {"year": year, "units": unit_rows, "months": month_rows, "total": total}


def commerce_card(user, today: dt.date) -> dict:
    """Commerce home: what waits for the bureau and the year's figures (one query)."""
    base = Complaint.objects.for_user(user)
    figures = base.aggregate(
        to_assign=Count("id", filter=Q(state=State.RECEIVED)),
        to_close=Count("id", filter=Q(state=State.REPLIED)),
        to_visit=Count("id", filter=Q(state=State.CLOSED)),
        overdue=Count("id", filter=~SETTLED & Q(deadline__lt=today)),
        received=Count("id", filter=Q(received_on__year=today.year)),
        closed=Count("id", filter=SETTLED & Q(received_on__year=today.year)),
        on_time=Count("id", filter=ON_TIME & Q(received_on__year=today.year)),
        visited=Count("id", filter=Q(last_satisfied__isnull=False, received_on__year=today.year)),
        satisfied=Count("id", filter=Q(last_satisfied=True, received_on__year=today.year)),
    )
    visited = figures["visited"]
    figures["satisfaction_rate"] = (
        Decimal(figures["satisfied"]) / Decimal(visited) if visited else None
    )
    return figures


def unit_card(user, today: dt.date) -> dict:
    """Clerk home: the unit's open complaints and how many are overdue (one query)."""
    return Complaint.objects.for_user(user).aggregate(
        open=Count("id", filter=~SETTLED),
        waiting=Count("id", filter=Q(state=State.ASSIGNED)),
        overdue=Count("id", filter=~SETTLED & Q(deadline__lt=today)),
    )
