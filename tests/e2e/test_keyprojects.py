"""Key projects in a real browser: the demo's board (the guide's screenshot), the bureau marks
a clerk's project 重点项目, the clerk logs a follow-up and marks a milestone done, the leader's
card. Every page passes axe-core at 1366 and 390 px."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from keyprojects import services
from keyprojects.models import KeyProject
from projects.models import Project
from tests.factories import ProjectFactory
from units.models import Unit

pytestmark = pytest.mark.e2e


def test_key_projects_from_the_board_to_a_follow_up(roster, open_session):
    call_command("load_demo_data", stdout=io.StringIO())
    bureau = open_session()
    page = bureau.login("commerce")
    page = bureau.go("/keyprojects/")
    text = bureau.text()
    assert "保和乡小埠古村文化旅游开发项目" in text and "广铁集团货物运输战略物流基地项目" in text
    assert not bureau.check_layout("key-project board")
    bureau.shot("key-projects")
    page.get_by_role("link", name="广铁集团货物运输战略物流基地项目").click()
    assert "逾期未完成" in bureau.text()
    assert not bureau.check_layout("key-project page")
    bureau.check_accessibility("key-project page")

    # The bureau marks a project of 郴江镇 (the demo clerk's unit) from its project page.
    unit = Unit.objects.get(code="T01")
    project = ProjectFactory(unit=unit, name="郴江镇石墨深加工项目", signed_on=dt.date(2026, 3, 2))
    bureau.go(f"/projects/{project.pk}/")
    page.get_by_role("link", name="列为重点项目").click()
    page.get_by_label("签约层级").select_option(label="市级签约")
    page.locator("#id_leader_name").fill("周敏")
    page.locator("#id_leader_post").fill("副区长")
    bureau.check_accessibility("key-project form")
    page.get_by_role("button", name="保存").click()
    assert "已将 郴江镇石墨深加工项目 列为重点项目" in bureau.text()
    key = KeyProject.objects.get(project=project)
    services.milestone_create(
        user=key.designated_by,
        key_project=key,
        data={"kind": "start", "due_on": timezone.localdate() - dt.timedelta(days=3)},
    )

    clerk = open_session()
    page = clerk.login("clerk")
    clerk.go(key.get_absolute_url())
    assert "逾期未完成" in clerk.text()
    page.get_by_role("link", name="填写跟踪记录").click()
    page.locator("#id_summary").fill("已完成用地预审，施工图审查中。")
    page.locator("#id_next_step").fill("办理施工许可证。")
    page.get_by_role("button", name="保存").click()
    assert "已记录跟踪情况" in clerk.text() and "施工图审查中" in clerk.text()
    page.get_by_role("link", name="确认完成").click()
    page.get_by_role("button", name="保存").click()
    text = clerk.text()
    assert "已确认节点" in text and "逾期未完成" not in text
    # Another unit's key project is not there for this clerk.
    other = KeyProject.objects.exclude(unit=unit).first()
    response = clerk.page.goto(clerk.base + other.get_absolute_url())
    assert response.status == 404

    leader = open_session()
    leader.login("leader")
    card = leader.page.locator("#home-keyprojects").locator("xpath=ancestor::section")
    assert "省级签约" in card.inner_text()
    leader.check_accessibility("leader home with key projects")
    assert Project.objects.filter(key_project__isnull=False).count() == KeyProject.objects.count()
