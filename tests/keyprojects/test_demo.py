"""The demo's key projects: the seed's provincial-level signings with their phases, an overdue
milestone and follow-ups, so the board, the detail page and the leader's card show something."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from keyprojects.models import KeyProject, Milestone
from projects.selectors import fulfilment_rates

YEAR = 2025


@pytest.mark.django_db
def test_the_demo_has_the_seeds_key_projects(client):
    call_command("load_roster")
    call_command("create_demo_accounts", password="pw-demo-1")
    call_command("load_demo_data", year=YEAR)
    keys = {k.project.name: k for k in KeyProject.objects.select_related("project__unit")}
    xiaobu = keys["保和乡小埠古村文化旅游开发项目"]
    assert xiaobu.level == "provincial" and xiaobu.unit.code == "T06"
    phases = list(xiaobu.phases.values_list("name", "planned_investment"))
    assert phases == [("一期", Decimal("45000")), ("二期", Decimal("55000"))]
    assert xiaobu.project.total_investment == Decimal("100000")
    assert xiaobu.project.event.name == "中博会"
    guangtie = keys["广铁集团货物运输战略物流基地项目"]
    assert guangtie.level == "provincial" and guangtie.project.total_investment == Decimal("58000")
    assert guangtie.project.event.name == "珠洽会"
    assert {k.level for k in keys.values()} == {"provincial", "city", "district"}
    assert Milestone.objects.overdue(timezone.localdate()).filter(key_project=guangtie).exists()
    assert xiaobu.follow_ups.count() == 2 and guangtie.follow_ups.exists()
    # 小埠古村 started: its 开工日期 is real, so it counts in 履约率.
    rates = fulfilment_rates(YEAR, dt.date(YEAR, 12, 31))
    assert rates["district"].started >= 1
    client.force_login(xiaobu.designated_by)
    html = client.get(reverse("keyprojects:board")).content.decode()
    assert "广铁集团货物运输战略物流基地项目" in html and "badge text-bg-danger" in html
