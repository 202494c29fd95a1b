"""A 督办单 in a real browser: the commerce bureau opens one, the clerk finds it in the inbox
and replies, the bureau closes it (issue 19)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from followup.models import State, Supervision

pytestmark = pytest.mark.e2e


def test_the_bureau_opens_a_supervision_the_clerk_replies_from_the_inbox(roster, open_session):
    clerk_unit = User.objects.get(username="clerk").unit
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()

    bureau = open_session()
    page = bureau.login("commerce")
    page.goto(bureau.base + "/followup/new/")
    page.get_by_label("责任单位").select_option(str(clerk_unit.pk))
    page.get_by_label("督办事项").fill("实际到位外资落后序时进度，请报送四季度到位计划。")
    page.get_by_label("办理期限").fill(deadline)
    page.get_by_label("实际到位外资").check()
    bureau.check_accessibility("new supervision form")
    page.get_by_role("button", name="开具").click()
    assert "已向 " + clerk_unit.name in bureau.text()
    supervision = Supervision.objects.get()
    assert supervision.state == State.OPEN

    clerk = open_session()
    home = clerk.login("clerk")
    assert home.locator('[data-figure="unread"]').inner_text() == "1"
    assert home.locator('[data-figure="followup-unit"]').inner_text() == "1"
    home.get_by_role("link", name="提醒").click()
    clerk.check_accessibility("inbox")
    clerk.page.get_by_role("button", name=f"新督办单 {supervision.number}", exact=False).click()
    assert "请报送四季度到位计划" in clerk.text()
    clerk.page.get_by_label("办理情况").fill(
        "已召开项目推进会，四季度计划到位 300 万美元，见附件。"
    )
    clerk.page.get_by_role("button", name="提交回复").click()
    assert f"已回复 {supervision.number}" in clerk.text()
    clerk.shot("followup-detail")

    page.goto(bureau.base + "/followup/")
    assert supervision.number in bureau.text() and "已回复" in bureau.text()
    bureau.shot("followup-list")
    page.get_by_role("link", name=supervision.number).click()
    assert "已召开项目推进会" in bureau.text()
    page.get_by_role("button", name="办结").click()
    assert f"{supervision.number} 已办结" in bureau.text()
    supervision.refresh_from_db()
    assert supervision.state == State.CLOSED
