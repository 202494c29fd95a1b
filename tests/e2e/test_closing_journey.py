"""The monthly close in a real browser: the bureau closes 1–6月, a late verification shows
up as a change since the close, the city's figures are entered, and the 通报 is downloaded
and filed. Same helpers as test_journeys.py (axe check, screenshots for the guide)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document

from accounts.models import User
from projects import services as project_services
from targets.models import Indicator
from targets.services import quotas_save
from units.models import Unit

pytestmark = pytest.mark.e2e


def _figures():
    """郴江镇: 300 of foreign money verified in March, 150 that arrived in May still pending."""
    clerk = User.objects.get(username="clerk")
    commerce = User.objects.get(username="commerce")
    unit = Unit.objects.get(code="T01")
    indicator = Indicator.objects.get(code="fdi_actual")
    year = dt.date.today().year - 1
    quotas_save(
        year=year,
        unit_values={(unit.pk, indicator.pk): Decimal("1000")},
        district_values={indicator.pk: Decimal("4903")},
        user=commerce,
    )
    project = project_services.project_create(
        user=clerk,
        data={
            "code": "WZ-CLOSE-1",
            "name": "万里达汽车服务",
            "capital_type": "foreign",
            "unit": unit,
            "origin": "香港",
            "stage": "signed",
            "signed_on": dt.date(year, 1, 10),
            "approved_on": dt.date(year, 1, 20),
            "contract_amount": Decimal("500"),
        },
    )
    first = project_services.inflow_create(
        user=clerk,
        project=project,
        data={"arrived_on": dt.date(year, 3, 1), "amount": Decimal("300"), "voucher_no": "GZ-1"},
    )
    project_services.inflow_verify(inflow=first, user=commerce)
    late = project_services.inflow_create(
        user=clerk,
        project=project,
        data={"arrived_on": dt.date(year, 5, 2), "amount": Decimal("150"), "voucher_no": "GZ-2"},
    )
    return year, late, commerce


def test_the_bureau_closes_a_month_and_files_the_bulletin(roster, open_session):
    year, late, commerce = _figures()
    bureau = open_session()
    page = bureau.login("commerce")

    page.goto(bureau.base + f"/closing/{year}/")
    page.get_by_role("button", name="关账 1–6月").click()
    assert f"{year} 年 1–6 月已关账" in bureau.text()
    bureau.check_accessibility("monthly closes")
    layout = bureau.check_layout("monthly closes")

    project_services.inflow_verify(inflow=late, user=commerce)  # after the close

    query = f"?year={year}&as_of={year}-06-30"
    page.goto(bureau.base + "/targets/progress/" + query)
    assert "显示 1–6月 关账数据" in bureau.text()
    card = page.locator(".card", has_text="实际到位外资").inner_text()
    assert "300.00" in card and "450.00" not in card
    page.get_by_role("link", name="查看实时数据").click()
    assert "450.00" in page.locator(".card", has_text="实际到位外资").inner_text()
    page.get_by_role("link", name="关账后变动").click()
    changes = bureau.text()
    assert "GZ-2" in changes and "郴江镇" in changes and "150.00" in changes
    bureau.check_accessibility("changes since the close")
    layout += bureau.check_layout("changes since the close")

    page.goto(bureau.base + f"/closing/{year}/6/city/")
    page.get_by_label("实际到位外资 市公布数").fill("310")
    page.get_by_label("实际到位外资 差异说明").fill("市里另计一笔外汇登记")
    page.get_by_role("button", name="保存市公布数据").click()
    assert "已保存 1 项市公布数据" in bureau.text()
    assert "市里另计一笔外汇登记" in page.locator("main").inner_html()
    bureau.check_accessibility("city figures")
    layout += bureau.check_layout("city figures")

    page.goto(bureau.base + f"/closing/{year}/6/bulletin/")
    sentence = "1–6月，全区实际到位外资300.00万美元，完成年度任务的6.12%"
    assert sentence in bureau.text()
    bureau.shot("bulletin")
    layout += bureau.check_layout("bulletin", figures=("#bulletin",))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 Word（.docx）").click()
    document = Document(io.BytesIO(download_info.value.path().read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert any(p.startswith(sentence) for p in paragraphs)
    assert [c.text for c in document.tables[0].rows[1].cells][1] == "郴江镇"

    page.get_by_label("文号").fill(f"商务通报〔{year}〕6号")
    page.get_by_role("button", name="生成并存档通报").click()
    assert "已生成通报" in bureau.text()
    assert f"商务通报〔{year}〕6号" in bureau.text()
    bureau.check_accessibility("bulletins")
    layout += bureau.check_layout("bulletins")
    assert not layout, "\n".join(layout)
    with page.expect_download() as filed:
        page.get_by_role("link", name="下载").first.click()
    filed_text = [p.text for p in Document(io.BytesIO(filed.value.path().read_bytes())).paragraphs]
    assert f"商务通报〔{year}〕6号" in filed_text
