"""Reminders: once per person and cause, e-mail outside the request, the inbox, the events
that remind at once and the daily ``send_reminders``."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from deposits import services as deposit_services
from followup import services as followup_services
from followup.models import Supervision
from followup.reminders import send_all
from notifications.api import notify, unread_count
from notifications.models import Notification
from projects import services as project_services
from targets.models import AssessmentYear, Indicator
from targets.services import quotas_save
from tests.factories import InflowFactory, UserFactory

CAUSE = {"kind": "month_closed", "params": {"year": 2026, "month": 10}}


@pytest.mark.django_db
def test_once_per_person_and_cause(clerk, other_clerk):
    assert len(notify([clerk, other_clerk], cause="c1", **CAUSE)) == 2
    assert notify([clerk, other_clerk], cause="c1", **CAUSE) == []
    assert len(notify([clerk], cause="c2", **CAUSE)) == 1
    clerk.is_active = False
    assert notify([clerk], cause="c3", **CAUSE) == []
    with pytest.raises(ValueError):
        notify([other_clerk], kind="no_such_kind", cause="c4")


@pytest.mark.django_db
def test_mail_is_sent_after_the_commit_and_marked(
    clerk, other_clerk, django_capture_on_commit_callbacks
):
    clerk.email = "a@example.cn"
    clerk.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([clerk, other_clerk], cause="c1", **CAUSE)
    assert mail.outbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert "2026 年 1–10月 已关账" in mail.outbox[0].subject
    assert Notification.objects.get(user=clerk).emailed_at is not None
    assert Notification.objects.get(user=other_clerk).emailed_at is None


@pytest.mark.django_db
def test_the_inbox_shows_ones_own_and_opening_marks_read(client_as, clerk, other_clerk):
    (mine,) = notify([clerk], cause="c1", url="/followup/", **CAUSE)
    notify([other_clerk], cause="c2", **CAUSE)
    page = client_as("clerk").get(reverse("notifications:inbox")).content.decode()
    assert page.count('action="/inbox/') == 2  # its one item's open form + "all read"
    assert 'data-figure="unread">1<' in page
    response = client_as("clerk").post(reverse("notifications:open", args=[mine.pk]))
    assert response["Location"] == "/followup/"
    assert unread_count(clerk) == 0 and unread_count(other_clerk) == 1
    client_as("other_clerk").post(reverse("notifications:read_all"))
    assert unread_count(other_clerk) == 0


@pytest.mark.django_db
def test_an_external_link_is_never_followed(client_as, clerk):
    (mine,) = notify([clerk], cause="c1", url="https://evil.example/", **CAUSE)
    response = client_as("clerk").post(reverse("notifications:open", args=[mine.pk]))
    assert response["Location"] == reverse("notifications:inbox")


# --- events that remind at once ----------------------------------------------------------


@pytest.mark.django_db
def test_each_return_of_an_inflow_reminds_its_units_clerks(project_a, commerce, clerk):
    inflow = InflowFactory(project=project_a, voucher_no="R-1")
    project_services.inflow_return(inflow=inflow, user=commerce, reason="凭证不清")
    assert [n.title for n in clerk.notifications.all()] == [
        "到位资金（凭证号 R-1）被商务局退回：凭证不清"
    ]
    inflow.refresh_from_db()
    inflow.status = "pending"
    inflow.save()
    project_services.inflow_return(inflow=inflow, user=commerce, reason="金额不符")
    assert clerk.notifications.count() == 2


@pytest.mark.django_db
def test_a_supervision_reminds_the_one_who_must_act(unit_a, commerce, clerk, other_clerk):
    supervision = followup_services.supervision_open(
        user=commerce, unit=unit_a, matter="请说明", deadline=timezone.localdate()
    )
    assert clerk.notifications.get().kind == "followup_opened"
    assert not other_clerk.notifications.exists()
    followup_services.supervision_reply(user=clerk, supervision=supervision, text="已办")
    assert commerce.notifications.get().kind == "followup_replied"
    followup_services.supervision_return(user=commerce, supervision=supervision, reason="不够")
    assert clerk.notifications.filter(kind="followup_returned").count() == 1


# --- the daily run -----------------------------------------------------------------------


@pytest.mark.django_db
def test_send_reminders_covers_every_cause_and_a_second_run_sends_nothing(
    unit_a, unit_b, commerce, finance, clerk, other_clerk, project_a
):
    today = timezone.localdate()
    year = today.year
    ind = Indicator.objects.get(code="fdi_actual")
    quotas_save(
        year=year,
        unit_values={(unit_a.pk, ind.pk): 100, (unit_b.pk, ind.pk): 100},
        district_values={},
    )
    AssessmentYear.objects.filter(year=year).update(deposit_due_date=today + dt.timedelta(days=3))
    deposit_services.deposit_record(
        user=finance, year=year, unit=unit_b, amount=D("3000"), paid_on=today, receipt_no="B-1"
    )
    old = InflowFactory(project=project_a, voucher_no="OLD-1")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=9))
    late = followup_services.supervision_open(
        user=commerce, unit=unit_a, matter="请说明", deadline=today
    )
    Supervision.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=1))

    first = send_all(today)
    assert first["inflows_waiting"] == 1
    assert first["followup_overdue"] == 2  # unit A's clerk and the commerce bureau
    assert first["deposit_due"] == 1  # unit A owes and has not paid; unit B has paid
    assert clerk.notifications.filter(kind="deposit_due").exists()
    assert not other_clerk.notifications.filter(kind="deposit_due").exists()
    assert sum(send_all(today).values()) == 0
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "新提醒 0 条" in out.getvalue()


@pytest.mark.django_db
def test_a_claim_waits_for_whoever_may_take_its_next_step(reward_claim_a, commerce):
    other = UserFactory(username="commerce2", role="commerce")
    sent = send_all(timezone.localdate())
    reviewers = set(
        Notification.objects.filter(kind="claim_review").values_list("user__username", flat=True)
    )
    assert sent["claim_review"] == len(reviewers) >= 1
    assert other.username in reviewers
    assert reward_claim_a.filed_by.username not in reviewers
