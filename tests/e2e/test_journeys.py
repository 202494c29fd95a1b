"""The user journeys of the portal, in a real browser. Each asserts what the user sees."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.models import User
from deposits.models import Deposit, Settlement
from projects import services as project_services
from projects.models import Inflow, Project
from targets.models import Indicator
from targets.services import quotas_save
from tests.workbook.builder import build
from units.models import Unit

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_1_a_clerk_logs_a_project_and_an_inflow_with_evidence(roster, open_session, tmp_path):
    clerk = open_session()
    clerk.go("/accounts/login/")
    clerk.check_accessibility("login page")
    page = clerk.login("clerk")
    assert "郴江镇 · 填报首页" in clerk.text()
    clerk.shot("clerk-home")
    page.get_by_role("link", name="登记招商项目").click()
    page.get_by_label("项目编号").fill("2026-NZ-101")
    page.get_by_label("项目名称").fill("湘粤商贸物流中心")
    page.get_by_label("类型").select_option(label="内资")
    page.get_by_label("投资方", exact=True).fill("广州湘粤物流有限公司")
    page.get_by_label("来源地").select_option("广东省")
    page.get_by_label("行业").fill("商贸物流")
    page.get_by_label("签约日期").fill("2026-03-02")
    page.get_by_label("合同金额").fill("12000")
    clerk.shot("project-form")
    page.get_by_role("button", name="保存").click()
    assert "已登记项目 2026-NZ-101" in clerk.text()
    assert "郴江镇" in clerk.text()

    page.get_by_role("link", name="登记到位资金").click()
    assert "金额单位：万元" in clerk.text()
    clerk.check_accessibility("inflow form")
    page.get_by_label("到位日期").fill("2026-04-08")
    page.get_by_label("金额（万元）").fill("3500")
    page.get_by_label("凭证号").fill("YH-2026-0408")
    evidence = tmp_path / "银行进账单.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("凭证文件").set_input_files(str(evidence))
    page.get_by_role("button", name="保存").click()
    text = clerk.text()
    assert "已登记到位资金，等待商务局核实" in text
    assert "待核实" in text and "3,500.00 万元" in text
    clerk.shot("inflow-pending")
    inflow = Inflow.objects.get(voucher_no="YH-2026-0408")
    assert inflow.status == "pending" and inflow.evidence.name.endswith(".pdf")


def _pending_inflows():
    """Two pending inflows of 郴江镇's foreign project, dated in the past."""
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
            "code": "WZ-E2E-1",
            "name": "国润房地产",
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
        data={"arrived_on": dt.date(year, 3, 1), "amount": Decimal("300"), "voucher_no": "YH-1"},
    )
    second = project_services.inflow_create(
        user=clerk,
        project=project,
        data={"arrived_on": dt.date(year, 4, 1), "amount": Decimal("150"), "voucher_no": "YH-2"},
    )
    return year, first, second


def test_2_the_bureau_verifies_returns_and_sees_the_dashboard_move(roster, open_session):
    year, _first, _second = _pending_inflows()
    bureau = open_session()
    page = bureau.login("commerce")
    query = f"?year={year}&as_of={year}-12-31"
    page.goto(bureau.base + "/targets/progress/" + query)
    assert "实际到位外资" in bureau.text()
    before = page.locator(".card", has_text="实际到位外资").inner_text()
    assert "0.00" in before

    page.goto(bureau.base + "/projects/inflows/verification/")
    assert "YH-1" in bureau.text() and "YH-2" in bureau.text()
    bureau.shot("verification-queue")
    page.locator("tr", has_text="YH-1").get_by_role("button", name="核实").click()
    assert "已核实 WZ-E2E-1 的到位资金 YH-1" in bureau.text()
    page.locator("tr", has_text="YH-2").get_by_role("link", name="查看凭证 / 退回").click()
    bureau.check_accessibility("inflow review page")
    page.get_by_label("退回原因").fill("进账单金额与填报不符")
    page.get_by_role("button", name="退回给单位").click()
    assert "已退回" in bureau.text()

    page.goto(bureau.base + "/targets/progress/" + query)
    card = page.locator(".card", has_text="实际到位外资").inner_text()
    assert "300.00" in card and "4,903.00" in card and "6.12%" in card
    assert page.locator(".card", has_text="实际到位外资").locator("svg polyline").count() == 1
    bureau.shot("dashboard")
    page.goto(bureau.base + "/targets/progress/ranking/" + query)
    ranking = bureau.text()
    assert "郴江镇" in ranking and "30.00%" in ranking and "严重滞后" in ranking
    bureau.shot("ranking")

    page.goto(bureau.base + "/targets/progress/" + query)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 1–12月 报表（Excel）").click()
    workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    summary = {row[0]: row for row in workbook["1–12月汇总"].iter_rows(values_only=True)}
    assert summary["实际到位外资"][2:5] == (4903, 300, 6.12)

    clerk = open_session()
    clerk.login("clerk")
    assert "有 1 笔到位资金被商务局退回" in clerk.text()
    clerk.page.get_by_role("link", name="查看退回的到位资金").click()
    assert "YH-2" in clerk.text() and "进账单金额与填报不符" in clerk.text()
    clerk.check_accessibility("returned inflows")


def test_3_finance_records_deposits_and_settles_a_past_year_once(roster, open_session):
    year = dt.date.today().year - 1
    indicator = Indicator.objects.get(code="domestic_projects")
    on_time, late = Unit.objects.get(code="T01"), Unit.objects.get(code="T02")
    quotas_save(
        year=year,
        unit_values={
            (on_time.pk, indicator.pk): Decimal("2"),  # (a zero quota is no task: it owes none)
            (late.pk, indicator.pk): Decimal("3"),
        },
        district_values={},
        user=None,
    )
    # The on-time unit meets its quota: two domestic projects from outside the province.
    for n in (1, 2):
        project_services.project_create(
            user=None,
            data={
                "code": f"NZ-E2E-{n}",
                "name": f"省外内资项目{n}",
                "capital_type": "domestic",
                "unit": on_time,
                "origin": "广东省",
                "stage": "signed",
                "signed_on": dt.date(year, 3, n),
            },
        )
    finance = open_session()
    page = finance.login("finance")
    page.goto(f"{finance.base}/deposits/{year}/")
    assert "应缴单位 2 个" in finance.text()
    for unit, day in ((on_time, f"{year}-04-10"), (late, f"{year}-05-20")):
        page.get_by_role("link", name="登记缴纳").click()
        if unit == on_time:
            finance.check_accessibility("deposit form")
        # The original select behind the searchable picker (Tom Select) carries the value.
        page.locator("select#id_unit").select_option(label=unit.name, force=True)
        page.get_by_label("缴纳日期").fill(day)
        page.get_by_label("票据号").fill(f"CZ-{unit.code}")
        page.get_by_role("button", name="保存").click()
    board = finance.text()
    assert "已缴" in board and "逾期缴纳" in board and "已收 6,000.00 元" in board
    finance.shot("deposit-board")

    page.goto(f"{finance.base}/deposits/{year}/settlement/")
    assert "结算预览" in finance.text()
    finance.check_accessibility("settlement preview")
    stale = open_session()
    stale.login("finance")
    stale.go(f"/deposits/{year}/settlement/")
    page.get_by_role("button", name="确认结算").click()
    text = finance.text()
    assert f"{year} 年结算已记录：2 个单位" in text
    assert "退还并奖励" in text and "没收" in text
    assert "缴纳合计 6,000.00 元 = 退还 3,000.00 元 + 没收 3,000.00 元" in text
    finance.shot("settlement")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载结算单（Excel，可打印）").click()
    sheet = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "合计" in cells and "经办人（签字）：" in cells

    # A second officer still on the preview presses confirm: nothing changes.
    stale.page.get_by_role("button", name="确认结算").click()
    assert "已经结算过，本次没有任何改动" in stale.text()
    assert Settlement.objects.filter(year__year=year).count() == 2
    assert Deposit.objects.filter(year__year=year).count() == 2


def test_5_another_units_project_is_404_and_six_wrong_passwords_lock(roster, open_session):
    other = Unit.objects.get(code="T02")
    project = Project.objects.create(
        code="T02-1",
        name="石盖塘项目",
        capital_type="domestic",
        unit=other,
        origin="广东省",
        stage="signed",
        signed_on=dt.date(2025, 5, 1),
    )
    clerk = open_session()
    clerk.login("clerk")
    response = clerk.page.goto(f"{clerk.base}/projects/{project.pk}/")
    assert response.status == 404
    assert "不属于您的单位" in clerk.text()
    clerk.check_accessibility("404 page", narrow=False)

    intruder = open_session()
    seen = []
    for _ in range(6):
        intruder.login("clerk2", "wrong-password")
        seen.append("账号已被暂时锁定" in intruder.text())
    # The first four say the password is wrong; from the fifth on the account is locked.
    assert seen == [False, False, False, False, True, True]
    assert "30 分钟后再试" in intruder.text()
    intruder.shot("locked")
    intruder.login("clerk2")  # even the right password: still locked
    assert "账号已被暂时锁定" in intruder.text()


def test_6_the_bureau_imports_a_workbook_through_preview_and_confirm(
    roster, open_session, tmp_path
):
    year = dt.date.today().year - 1
    path = build(
        tmp_path / "全年数据.xlsx",
        {
            "任务": [[year, "T03", "fdi_actual", 800], [year, "全区", "fdi_actual", 4903]],
            "项目": [
                [
                    "IMP-WZ-1",
                    "万里达汽车服务",
                    "外资",
                    "T03",
                    "万里达集团",
                    "台湾",
                    "商贸物流",
                    "签约",
                    f"{year}-02-01",
                    f"{year}-02-15",
                    600,
                    2000,
                    5000,
                    "否",
                    None,
                    None,
                ]
            ],
            "到位资金": [["IMP-WZ-1", f"{year}-03-15", 420, "IMP-V1", "已核实"]],
        },
    )
    bureau = open_session()
    page = bureau.login("commerce")
    page.goto(bureau.base + "/workbook/")
    bureau.check_accessibility("workbook upload")
    page.get_by_label("工作簿（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    preview = bureau.text()
    assert "已预览，待确认" in preview
    assert Project.objects.filter(code="IMP-WZ-1").count() == 0  # nothing before confirm
    bureau.shot("import-preview")
    page.get_by_role("button", name="确认导入").click()
    assert "导入完成" in bureau.text()
    bureau.check_accessibility("import done")
    page.goto(f"{bureau.base}/targets/progress/?year={year}&as_of={year}-12-31")
    card = page.locator(".card", has_text="实际到位外资").inner_text()
    assert "420.00" in card and "8.57%" in card


def test_4_a_referral_fee_claim_goes_from_filing_to_payment(roster, open_session):
    from django.core.management import call_command

    from rewards import services as reward_services
    from rewards.models import Claim

    year = dt.date.today().year - 1
    call_command("load_reward_rules", year=year, stdout=io.StringIO())
    commerce = User.objects.get(username="commerce")
    referrer = reward_services.referrer_create(
        user=commerce,
        data={
            "kind": "enterprise",
            "name": "深圳湘商投资顾问有限公司",
            "id_number": "91110000600037341L",  # a real check character (GB 32100)
            "contact": "王经理 13800000000",
            "bank_name": "工商银行深圳分行",
            "bank_account": "6222020200112233445",
        },
    )
    # dated the day the portal records it; the finance office corrects it, with a reason
    reward_services.referrer_registration_correct(
        referrer=referrer,
        registered_on=dt.date(year, 1, 2),
        user=User.objects.get(username="finance"),
        reason="按纸质登记表补录",
    )
    referrer.refresh_from_db()
    project = project_services.project_create(
        user=commerce,
        data={
            "code": "NZ-REF-1",
            "name": "湘粤机械制造",
            "capital_type": "domestic",
            "unit": Unit.objects.get(code="T01"),
            "investor": "广东粤机集团",
            "origin": "广东省",
            "stage": "signed",
            "signed_on": dt.date(year, 3, 1),
            "registered_capital": Decimal("4000"),
        },
    )
    reward_services.project_referrer_create(user=commerce, project=project, referrer=referrer)

    clerk = open_session()
    page = clerk.login("clerk")
    page.goto(f"{clerk.base}/projects/{project.pk}/")
    assert "深圳湘商投资顾问有限公司" in clerk.text()
    assert "6222020200112233445" not in clerk.text()  # masked for the clerk
    clerk.check_accessibility("project page")
    page.get_by_role("link", name="申报引资奖励").click()
    clerk.check_accessibility("claim form")
    page.get_by_label("奖励类别").select_option(label="洽谈费补助")
    page.get_by_role("button", name="申报", exact=True).click()
    text = clerk.text()
    assert "20,000.00" in text  # 注册资本 4,000万元: the 3,000–5,000万 tier, under the cap
    claim = Claim.objects.get(project=project)
    assert claim.status == "filed"
    clerk.check_accessibility("claim page")
    clerk.close()

    bureau = open_session()
    bureau.login("commerce")
    bureau.go(f"/rewards/claims/{claim.pk}/")
    bureau.check_accessibility("claim review")
    bureau.page.get_by_role("button", name="审核通过，转财政局审批").click()
    assert "已审核" in bureau.text()
    claim.refresh_from_db()
    assert claim.status == "reviewed"
    bureau.close()

    approver = open_session()
    approver.login("finance")
    approver.go(f"/rewards/claims/{claim.pk}/")
    approver.page.get_by_role("button", name="复核资格并审批通过").click()
    assert "已审批" in approver.text()
    approver.close()

    # no account performs two consecutive steps: a colleague records the payment
    finance = open_session()
    finance.login("finance2")
    finance.go(f"/rewards/claims/{claim.pk}/")
    finance.page.get_by_label("兑现日期").fill(dt.date.today().isoformat())
    finance.page.get_by_label("付款凭证号").fill("FK-2026-001")
    finance.page.get_by_role("button", name="登记兑现").click()
    finance.shot("claim-paid")
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.amount == Decimal("20000.00")
    assert "已兑现" in finance.text() and "20,000.00" in finance.text()


def test_7_the_accessibility_check_fails_on_a_real_violation(roster, open_session):
    """The check the journeys rely on does catch a WCAG failure, and says where."""
    visitor = open_session()
    visitor.go("/accounts/login/")
    visitor.check_accessibility("login page", narrow=False)  # the page as shipped: clean
    # light grey text on white (1.6:1) and an unlabelled text box, added by the test
    visitor.page.evaluate(
        """() => {
            const p = document.createElement("p");
            p.id = "faint"; p.textContent = "看不清的说明文字";
            p.style.color = "#cccccc";
            const input = document.createElement("input");
            input.id = "nameless"; input.type = "text";
            document.querySelector("main").append(p, input);
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        visitor.check_accessibility("login page with a faint note", narrow=False)
    message = str(failure.value)
    assert "color-contrast (serious)" in message and "#faint" in message
    assert "label (critical)" in message and "#nameless" in message


def test_8_every_page_in_each_roles_navigation_meets_wcag_aa(roster, open_session):
    """Each role's menu, and the progress page's tabs, walked page by page through axe-core;
    every violation on every page is listed at once."""
    failures, walked = [], set()
    for username in ("clerk", "commerce", "finance", "leader"):
        visitor = open_session()
        page = visitor.login(username)
        # the menu, and the change-password page behind the bar's button
        hrefs = page.locator(
            "nav .nav-link:not(.dropdown-toggle), nav .dropdown-item, nav a.btn"
        ).evaluate_all("links => links.map(a => a.href)")
        seen = set()
        while hrefs:
            href = hrefs.pop(0)
            if href in seen:
                continue
            seen.add(href)
            page.goto(href)
            # the tabs of a page (progress: ranking, parks, events, projects) too
            hrefs += page.locator("main .nav-tabs a, main .nav-pills a").evaluate_all(
                "links => links.map(a => a.href)"
            )
            try:
                # 390 px is checked on the journeys' pages; here the wide layout suffices
                visitor.check_accessibility(
                    f"{username} {href.removeprefix(visitor.base)}", narrow=False
                )
            except pytest.fail.Exception as failure:
                failures.append(str(failure))
        if username == "leader":  # the English pages too
            page.goto(visitor.base + "/targets/progress/")
            page.get_by_role("button", name="English").click()
            assert "Progress" in visitor.text() or "progress" in visitor.text()
            try:
                visitor.check_accessibility("leader /targets/progress/ in English")
            except pytest.fail.Exception as failure:
                failures.append(str(failure))
        visitor.close()
        walked.update(href.removeprefix(visitor.base).split("?")[0] for href in seen)
    assert len(walked) >= 20, walked  # the walk did reach the pages
    assert not failures, "\n".join(failures)


HAN = re.compile(r"[\u4e00-\u9fff]")


def test_9_pages_fit_a_phone_and_a_laptop_and_the_english_switch(roster, open_session):
    """The main pages at 1366 px and 390 px: nothing runs off the right edge (wide tables
    scroll inside their card) and the key figures are on screen; then a leader switches to
    English: the bar fits at 1366 px, collapses behind its toggler at 390 px, and the
    dashboard's labels, indicator names and months are English."""
    year, first, _second = _pending_inflows()
    project_services.inflow_verify(inflow=first, user=User.objects.get(username="commerce"))
    query = f"?year={year}&as_of={year}-12-31"
    problems = []

    bureau = open_session()
    page = bureau.login("commerce")
    page.goto(bureau.base + "/targets/progress/" + query)
    card = page.locator(".card", has_text="实际到位外资")
    assert "300.00" in card.inner_text()
    problems += bureau.check_layout(
        "dashboard", figures=(".card dd.fs-5", ".card .indicator-figures dd >> nth=2")
    )
    page.set_viewport_size({"width": 390, "height": 844})
    bureau.shot("dashboard-phone")  # for the guide: the figures beside their labels
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(bureau.base + "/targets/progress/ranking/" + query)
    problems += bureau.check_layout("ranking", wide_figures=("main table tbody tr td",))
    for path in ("/projects/", "/projects/inflows/", "/projects/inflows/verification/"):
        page.goto(bureau.base + path)
        problems += bureau.check_layout(path, wide_figures=("main table tbody td.text-end",))

    finance = open_session()
    page = finance.login("finance")
    page.goto(f"{finance.base}/deposits/{year}/settlement/")
    assert "结算预览" in finance.text()
    # 结果 and the amounts stay on screen at 1366 px despite the long figures column
    problems += finance.check_layout(
        "settlement",
        wide_figures=(
            "table.settlement-table thead th >> nth=2",
            "table.settlement-table tbody tr:last-child td:last-child",
        ),
    )
    page.goto(f"{finance.base}/deposits/{year}/")
    problems += finance.check_layout("deposit board")
    assert not problems, "\n".join(problems)

    leader = open_session()
    page = leader.login("leader")
    page.goto(leader.base + "/targets/progress/" + query)
    page.get_by_role("button", name="English").click()
    text = leader.text()
    assert "Foreign capital in place" in text and f"{year} Jan–Dec" in text.replace("\n", " ")
    assert not HAN.findall(text), HAN.findall(text)  # no unit names on the cards: all labels
    chart = page.locator(".card", has_text="Foreign capital in place").locator("svg").inner_html()
    assert ">Dec<" in chart and "月" not in chart
    bar = page.locator("nav.navbar")
    for name in ("Sign out", "中文"):
        button = bar.get_by_role("button", name=name)
        box = button.bounding_box()
        assert button.is_visible() and box["x"] + box["width"] <= 1366, name
    assert bar.bounding_box()["height"] < 120  # one or two lines of bar, not a column
    leader.shot("dashboard-english")
    problems = leader.check_layout("English dashboard", figures=(".card dd.fs-5",))
    page.set_viewport_size({"width": 390, "height": 844})
    assert not bar.get_by_role("button", name="Sign out").is_visible()  # collapsed
    page.get_by_role("button", name="Menu").click()
    bar.get_by_role("button", name="Sign out").wait_for(state="visible")
    problems += leader.overflow("English dashboard, menu open @390px")
    leader.check_accessibility("English dashboard, menu open", narrow=False)
    page.set_viewport_size({"width": 1366, "height": 768})
    assert not problems, "\n".join(problems)
    bar.get_by_role("button", name="中文").click()
    assert "实际到位外资" in leader.text()
    # the overflow check does catch a page wider than the window
    page.evaluate(
        """() => { const d = document.createElement("div"); d.id = "too-wide";
                   d.style.width = "2000px"; d.textContent = "x";
                   document.querySelector("main").append(d); }"""
    )
    caught = leader.overflow("with a 2000 px block")
    assert caught and "div#too-wide" in caught[0], caught
