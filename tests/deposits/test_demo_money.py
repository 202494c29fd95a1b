"""The demo data gives every finance page something to show on first start: deposits paid on
time, late and missing, letters, a voided entry, one settled past year, reward rules for both
years, referrers and claims at every step."""

import html
import itertools

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from deposits.models import Deposit, ResponsibilityLetter, Settlement
from deposits.services import owing_units
from deposits.settlement import PAID, PAID_LATE, payment_status
from rewards.models import Claim, Referrer, RewardRule
from targets.models import AssessmentYear

YEAR = 2025


@pytest.mark.django_db
def test_every_finance_page_shows_something_after_the_demo_loads():
    call_command("load_roster", stdout=None)
    call_command("create_demo_accounts", password="pw-demo-1")
    call_command("load_demo_data", year=YEAR)

    # deposits: both years, on time, late and missing; letters; one void
    for year in (YEAR - 1, YEAR):
        settings = AssessmentYear.objects.get(year=year)
        live = Deposit.objects.live().filter(year=settings)
        statuses = {payment_status(d.paid_on, settings.deposit_due_date, d.paid_on) for d in live}
        assert {PAID, PAID_LATE} <= statuses, year
        assert ResponsibilityLetter.objects.filter(year=settings).count() == live.count()
        assert all(d.amount == settings.deposit_amount for d in live)
    assert Deposit.objects.filter(voided_at__isnull=False).count() == 1
    # last year is settled and locked; this year is not
    assert AssessmentYear.objects.get(year=YEAR - 1).settled is True
    assert AssessmentYear.objects.get(year=YEAR).settled is False
    outcomes = set(
        Settlement.objects.filter(year__year=YEAR - 1, reversed_at__isnull=True).values_list(
            "outcome", flat=True
        )
    )
    assert "unpaid" in outcomes and len(outcomes) >= 2

    # rewards: rules for both years, referrers, claims at every step
    assert set(RewardRule.objects.values_list("year__year", flat=True)) >= {YEAR - 1, YEAR}
    assert Referrer.objects.count() >= 4
    assert set(Claim.objects.values_list("status", flat=True)) == {
        "filed",
        "reviewed",
        "approved",
        "paid",
        "rejected",
    }
    for claim in Claim.objects.exclude(status="filed"):
        steps = [claim.filed_by_id, claim.reviewed_by_id, claim.approved_by_id]
        steps.append(claim.paid_recorded_by_id)
        done = [s for s in steps if s is not None]
        assert all(a != b for a, b in itertools.pairwise(done)), claim.number

    client = Client()
    client.force_login(User.objects.get(username="finance"))
    board = html.unescape(client.get(reverse("deposits:board", args=[YEAR])).content.decode())
    assert "已缴" in board and "逾期缴纳" in board and "已作废的缴纳记录" in board
    past = html.unescape(
        client.get(reverse("deposits:settlement", args=[YEAR - 1])).content.decode()
    )
    assert "本年度已结算并锁定" in past
    overdue = html.unescape(client.get(reverse("deposits:overdue", args=[YEAR])).content.decode())
    settings = AssessmentYear.objects.get(year=YEAR)
    unpaid = owing_units(settings).exclude(
        pk__in=Deposit.objects.live().filter(year=settings).values("unit_id")
    )
    assert unpaid.exists()
    assert unpaid.first().name in overdue
    for name in ("rewards:claim_list", "rewards:claim_queue", "rewards:referrer_list"):
        page = client.get(reverse(name))
        assert page.status_code == 200
    queue = html.unescape(client.get(reverse("rewards:claim_queue")).content.decode())
    assert "JL" in queue
