"""外商投诉 in a real browser: received by the commerce bureau, assigned to 郴江镇, answered
by its clerk with a scan, closed by the bureau and followed up with the complainant (回访).
Screenshots for the guide's chapter, each page checked with axe-core at 1366 and 390 px."""

import io

import pytest
from openpyxl import load_workbook

from common.models import CalendarDay
from complaints.models import Complaint, State

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = "13812345678"


def test_a_complaint_from_receipt_to_follow_up(roster, open_session, tmp_path):
    bureau = open_session()
    page = bureau.login("commerce")
    assert "外商投诉" in bureau.text()

    # The bureau lists the year's holidays first: deadlines count working days.
    bureau.go("/complaints/calendar/")
    page.get_by_role("button", name="载入 2026 年国务院节假日安排").click()
    assert "已载入 2026 年节假日安排" in bureau.text()
    assert CalendarDay.objects.filter(date__year=2026).count() == 39
    bureau.shot("complaints-calendar")

    # 受理
    bureau.go("/")
    page.get_by_role("link", name="受理投诉").click()
    page.get_by_label("受理方式").select_option(label="来电")
    page.get_by_label("投诉人").fill("陈先生")
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_label("企业名称").fill("香港汇丰五金制品有限公司")
    page.get_by_label("投诉事项").fill("厂区道路施工阻断货车进出")
    page.get_by_label("投诉内容").fill(
        "市政道路施工已一个月，厂区货车出入口被围挡，请协调开设临时通道。"
    )
    bureau.shot("complaint-form")
    page.get_by_role("button", name="受理").click()
    complaint = Complaint.objects.get()
    assert f"已受理，编号 {complaint.number}" in bureau.text()
    assert PHONE in bureau.text()

    # 交办: the deadline is five working days later.
    page.get_by_role("link", name="交办责任单位").click()
    page.get_by_label("责任单位").select_option(label="郴江镇")
    bureau.shot("complaint-assign")
    page.get_by_role("button", name="提交").click()
    complaint.refresh_from_db()
    assert complaint.state == State.ASSIGNED
    assert f"已交办 郴江镇，办理期限 {complaint.deadline.isoformat()}" in bureau.text()

    # The clerk of 郴江镇 sees it on the home page, without the complainant's phone.
    clerk = open_session()
    cpage = clerk.login("clerk")
    card = cpage.locator("[data-figure=complaints-waiting]")
    assert card.inner_text() == "1"
    cpage.get_by_role("link", name="本单位的投诉").click()
    assert complaint.number in clerk.text()
    clerk.check_accessibility("complaint list (clerk)")
    cpage.get_by_role("link", name=complaint.number).click()
    assert "厂区道路施工阻断货车进出" in clerk.text()
    assert PHONE not in cpage.content()
    cpage.get_by_role("link", name="答复", exact=True).click()
    cpage.get_by_label("办理情况").fill("已协调施工单位在东侧开设临时通道，货车已可正常进出。")
    scan = tmp_path / "答复函.pdf"
    scan.write_bytes(PDF)
    cpage.get_by_label("附件").set_input_files(str(scan))
    clerk.shot("complaint-reply")
    cpage.get_by_role("button", name="提交").click()
    assert "已提交答复，等待商务局办结" in clerk.text()
    assert "答复函.pdf" in clerk.text()

    # 办结, then 回访.
    bureau.go(complaint.get_absolute_url())
    page.get_by_role("link", name="办结").click()
    page.get_by_label("办结意见").fill("单位答复属实，临时通道已开通。")
    page.get_by_role("button", name="提交").click()
    assert "已办结，请回访投诉人" in bureau.text()
    page.get_by_role("link", name="回访投诉人").click()
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("回访情况").fill("陈先生表示通道已开通，满意。")
    bureau.shot("complaint-follow-up")
    page.get_by_role("button", name="提交").click()
    assert "投诉人满意，投诉办结" in bureau.text()
    complaint.refresh_from_db()
    assert complaint.state == State.VISITED and complaint.closed_on_time
    timeline = page.locator("[data-event]")
    assert timeline.count() == 5
    bureau.shot("complaint-detail")

    # The list, its export with the contact details, and the statistics.
    bureau.go("/complaints/")
    bureau.shot("complaint-list")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    with open(download.value.path(), "rb") as saved:  # a download's path has no suffix
        book = load_workbook(io.BytesIO(saved.read()))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert complaint.number in cells and PHONE in cells
    bureau.go("/complaints/statistics/")
    text = bureau.text()
    assert "郴江镇" in text and "100.00%" in text
    bureau.shot("complaint-statistics")
