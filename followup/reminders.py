"""The daily reminders (``manage.py send_reminders``): each goes once per person and cause
(notifications.api.notify is idempotent), so the command may run any number of times a day.

- inflows waiting for verification longer than REMIND_PENDING_AFTER_DAYS: one digest a day
  to the commerce bureau;
- a reward claim waiting for its next step: to each person who may take it (never the one
  who took the step before);
- the year's deposit: to the clerks of a unit that owes and has not paid, 7 days before the
  due date and once it is overdue;
- a 督办单 waiting for its unit: to the unit's clerks 3 days before the deadline, and once
  overdue also to the commerce bureau.

Events that happen in a service (an inflow returned, a 督办单 opened, replied, sent back)
remind at once, from the service."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from common.roles import Role
from deposits.models import Deposit
from followup.models import WAITING_FOR_UNIT, State, Supervision
from followup.people import clerks_of, staff
from notifications.api import notify
from projects.models import Inflow, InflowStatus
from rewards.models import Claim, ClaimStatus
from rewards.selectors import may_act_next
from targets.models import Quota
from targets.selectors import year_settings

DEPOSIT_NOTICE_DAYS = 7
FOLLOWUP_NOTICE_DAYS = 3
CLAIM_KINDS = {
    ClaimStatus.FILED: ("claim_review", Role.COMMERCE),
    ClaimStatus.REVIEWED: ("claim_approve", Role.FINANCE),
    ClaimStatus.APPROVED: ("claim_pay", Role.FINANCE),
}


def clerks_by_unit(unit_ids) -> dict[int, list]:
    """unit id → its active clerks."""
    clerks: dict[int, list] = {}
    for user in clerks_of(unit_ids):
        clerks.setdefault(user.unit_id, []).append(user)
    return clerks


def waiting_inflows(today: dt.date) -> Counter:
    days = settings.REMIND_PENDING_AFTER_DAYS
    since = timezone.now() - dt.timedelta(days=days)
    waiting = Inflow.objects.filter(status=InflowStatus.PENDING, created_at__lt=since).count()
    if not waiting:
        return Counter()
    made = notify(
        staff(Role.COMMERCE),
        kind="inflows_waiting",
        cause=f"inflows_waiting:{today.isoformat()}",
        params={"count": waiting, "days": days},
        url=reverse("projects:verification"),
    )
    return Counter({"inflows_waiting": len(made)})


def claims(today: dt.date) -> Counter:
    sent = Counter()
    people = {role: staff(role) for _kind, role in CLAIM_KINDS.values()}
    for claim in Claim.objects.filter(status__in=list(CLAIM_KINDS)).select_related("project"):
        kind, role = CLAIM_KINDS[claim.status]
        made = notify(
            [user for user in people[role] if may_act_next(claim, user)],
            kind=kind,
            cause=f"claim:{claim.pk}:{claim.status}",
            params={"project": claim.project.name},
            url=claim.get_absolute_url(),
        )
        sent[kind] += len(made)
    return sent


def deposits(today: dt.date) -> Counter:
    year = year_settings(today.year)
    if not year.pk:
        return Counter()
    due = year.deposit_due_date
    if today < due - dt.timedelta(days=DEPOSIT_NOTICE_DAYS):
        return Counter()
    kind = "deposit_due" if today <= due else "deposit_overdue"
    owing = set(Quota.objects.filter(year=year, amount__gt=0).values_list("unit_id", flat=True))
    paid = set(Deposit.objects.live().filter(year=year).values_list("unit_id", flat=True))
    sent = Counter()
    for unit_id, clerks in clerks_by_unit(owing - paid).items():
        made = notify(
            clerks,
            kind=kind,
            cause=f"{kind}:{year.year}:{unit_id}",
            params={"year": year.year, "due": due.isoformat()},
            url=reverse("home"),
        )
        sent[kind] += len(made)
    return sent


def supervisions(today: dt.date) -> Counter:
    sent = Counter()
    waiting = Supervision.objects.exclude(state=State.CLOSED).filter(
        deadline__lte=today + dt.timedelta(days=FOLLOWUP_NOTICE_DAYS)
    )
    waiting = list(waiting)
    clerks = clerks_by_unit({s.unit_id for s in waiting})
    commerce = staff(Role.COMMERCE)
    for supervision in waiting:
        params = {"number": supervision.number, "deadline": supervision.deadline.isoformat()}
        overdue = supervision.deadline < today
        if not overdue and supervision.state not in WAITING_FOR_UNIT:
            continue  # replied in time: it waits for the bureau, not for the unit
        kind = "followup_overdue" if overdue else "followup_due"
        people = clerks.get(supervision.unit_id, []) + (commerce if overdue else [])
        made = notify(
            people,
            kind=kind,
            cause=f"{kind}:{supervision.pk}:{supervision.deadline.isoformat()}",
            params=params,
            url=supervision.get_absolute_url(),
        )
        sent[kind] += len(made)
    return sent


def send_all(today: dt.date | None = None) -> Counter:
    """Every daily reminder; returns how many were created per kind."""
    today = today or timezone.localdate()
    sent = Counter()
    for collect in (waiting_inflows, claims, deposits, supervisions):
        sent.update(collect(today))
    return sent
