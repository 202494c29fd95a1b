"""Reported figures (报送) in a real browser: a township clerk reports a month's 标准厂房
figure with its evidence, the commerce bureau returns it with a reason, the clerk corrects
and resubmits it, the bureau verifies it from its queue and the figure counts. Each page is
checked with axe at 1366 px and 390 px, and none scrolls sideways on a phone."""

import datetime as dt
from decimal import Decimal

import pytest

from targets.models import ReportedFigure
from targets.selectors import rollup_period_totals
from targets.services import indicator_create

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_reported_a_clerk_reports_the_bureau_returns_then_verifies(roster, open_session, tmp_path):
    indicator = indicator_create(code="std_factory", name="标准厂房", unit_label="平方米")
    year = dt.date.today().year - 1  # every month of it has ended
    clerk = open_session()
    page = clerk.login("clerk")
    clerk.go("/targets/reported/")
    clerk.check_accessibility("reported list (empty)")
    page.get_by_role("link", name="新增").click()
    clerk.shot("reported-form")
    page.get_by_label("年度").fill(str(year))
    page.get_by_label("月份").fill("5")
    page.get_by_label("指标").select_option(label="标准厂房")
    page.get_by_label("完成数").fill("5400")
    evidence = tmp_path / "竣工验收备案表.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    page.get_by_role("button", name="保存").click()
    assert "已报送，等待商务局核实" in clerk.text()
    figure = ReportedFigure.objects.get(indicator=indicator)
    assert figure.amount == Decimal("5400") and figure.evidence_name == "竣工验收备案表.pdf"

    bureau = open_session()
    page = bureau.login("commerce")
    bureau.go("/targets/reported/verification/")
    assert "标准厂房" in bureau.text()
    bureau.shot("reported-queue")
    page.get_by_role("link", name="查看佐证 / 退回").first.click()
    bureau.check_accessibility("reported figure, pending")
    page.get_by_label("退回原因").fill("面积与竣工验收备案表不符")
    page.get_by_role("button", name="退回给单位").click()
    assert "已退回" in bureau.text()

    page = clerk.page
    clerk.go(figure.get_absolute_url())
    assert "面积与竣工验收备案表不符" in clerk.text()
    clerk.check_accessibility("reported figure, returned")
    page.get_by_role("link", name="修改并重新提交").click()
    page.get_by_label("完成数").fill("5200")
    page.get_by_role("button", name="保存").click()
    assert "已保存，等待商务局核实" in clerk.text()

    page = bureau.page
    bureau.go("/targets/reported/verification/")
    page.get_by_role("button", name="核实").first.click()
    assert "已核实" in bureau.text()
    figure.refresh_from_db()
    assert figure.status == "verified" and figure.amount == Decimal("5200")
    totals = rollup_period_totals(dt.date(year, 5, 31))
    assert totals[(figure.unit_id, "std_factory")] == Decimal("5200")
    assert (figure.unit_id, "std_factory") not in rollup_period_totals(dt.date(year, 4, 30))

    problems = []
    for session, path in (
        (clerk, "/targets/reported/"),
        (clerk, figure.get_absolute_url()),
        (bureau, "/targets/reported/verification/"),
        (bureau, f"/targets/reported/units/{figure.unit_id}/"),
    ):
        session.go(path)
        problems += session.check_layout(path, figures=("h1",))
    assert not problems, "\n".join(problems)
