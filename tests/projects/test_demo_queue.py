"""The demo shows the counting rules' queue on first start: a 重复统计 pair and a pending
inflow flagged as a likely 万/亿 slip, without changing the seed's figures (checked by
tests/common/test_demo_data.py)."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Inflow, Project


@pytest.mark.django_db
def test_the_demo_fills_the_verification_queue_with_flags():
    call_command("load_roster")
    call_command("create_demo_accounts", password="pw-demo-1")
    call_command("load_demo_data", year=2025)
    pair = Project.objects.filter(duplicate_flagged=True)
    assert pair.count() == 2 and len({p.unit_id for p in pair}) == 2
    assert {p.stage for p in pair} <= {"intention", "negotiation"}  # they count nothing
    slip = Inflow.objects.get(amount_flagged=True)
    assert slip.status == "pending" and "超过本单位全年任务" in slip.amount_flag_reason
    client = Client()
    client.force_login(User.objects.filter(role="commerce").first())
    page = client.get(reverse("projects:verification")).content.decode()
    assert "重复统计待处理" in page and "湘粤现代农业产业园项目" in page
    assert "超过本单位全年任务" in page
