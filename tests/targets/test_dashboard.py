"""Progress figures: the report, the progress_report command and the dashboard pages."""

import csv
import datetime as dt
import io
from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects import services
from projects.counting import rebuild
from targets.models import Indicator
from targets.reports import CSV_HEADER, build_report
from targets.services import quotas_save, year_get_or_create
from tests.factories import ForeignProjectFactory, ProjectFactory, UnitFactory

YEAR = 2025  # a past year: every date in it may be used as an as-of date


@pytest.fixture
def ind(db):
    return {i.code: i for i in Indicator.objects.all()}


def money(project, day, amount, user, verify=True, voucher=None):
    inflow = services.inflow_create(
        user=user,
        project=project,
        data={
            "arrived_on": day,
            "amount": D(amount),
            "voucher_no": voucher or f"V-{project.pk}-{day}-{amount}",
        },
    )
    if verify:
        services.inflow_verify(inflow=inflow, user=user)
    return inflow


@pytest.fixture
def figures(unit_a, unit_b, commerce, ind):
    """Unit A: foreign money, a domestic project from 广东 and one from 湖南 (not counted)."""
    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("1000"),
            (unit_a.pk, ind["domestic_projects"].pk): D("4"),
            (unit_b.pk, ind["fdi_actual"].pk): D("500"),
        },
        district_values={ind["fdi_actual"].pk: D("4903"), ind["domestic_actual"].pk: D("140000")},
    )
    foreign = services.project_create(
        user=commerce,
        data={
            "code": "F1",
            "name": "外资一",
            "capital_type": "foreign",
            "unit": unit_a,
            "origin": "香港",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 1, 5),
            "approved_on": dt.date(YEAR, 2, 1),
            "contract_amount": D("800"),
        },
    )
    money(foreign, dt.date(YEAR, 3, 10), "300", commerce)
    money(foreign, dt.date(YEAR, 6, 30), "212", commerce)
    money(foreign, dt.date(YEAR, 7, 1), "99", commerce)  # after 1–6月
    money(foreign, dt.date(YEAR, 5, 1), "1000", commerce, verify=False)  # pending: no count
    guangdong = services.project_create(
        user=commerce,
        data={
            "code": "D1",
            "name": "内资一",
            "capital_type": "domestic",
            "unit": unit_a,
            "origin": "广东省",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 4, 1),
        },
    )
    money(guangdong, dt.date(YEAR, 4, 2), "5000", commerce)
    hunan = services.project_create(
        user=commerce,
        data={
            "code": "D2",
            "name": "省内项目",
            "capital_type": "domestic",
            "unit": unit_b,
            "origin": "湖南省",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 4, 1),
        },
    )
    money(hunan, dt.date(YEAR, 4, 2), "7000", commerce)  # from the home province: no count
    # last year's same period, for 同比
    last = services.project_create(
        user=commerce,
        data={
            "code": "F0",
            "name": "去年外资",
            "capital_type": "foreign",
            "unit": unit_a,
            "origin": "美国",
            "stage": "signed",
            "signed_on": dt.date(YEAR - 1, 1, 5),
            "approved_on": dt.date(YEAR - 1, 1, 6),
            "contract_amount": D("100"),
        },
    )
    money(last, dt.date(YEAR - 1, 6, 30), "400", commerce)
    money(last, dt.date(YEAR - 1, 7, 1), "1000", commerce)  # after last year's 1–6月


def test_the_report_counts_by_the_rules(figures, unit_a, unit_b):
    report = build_report(year_get_or_create(YEAR), dt.date(YEAR, 6, 30))
    rows = {row.unit.code: row for row in report.units}
    a = rows[unit_a.code].cells
    assert a["fdi_actual"].actual == D("512")  # 300 + 212; not July's, not the pending one
    assert a["fdi_actual"].quota == D("1000")
    assert a["fdi_actual"].rate == D("0.512")
    assert a["fdi_actual"].schedule == D("0.5")
    assert a["fdi_actual"].last_year == D("400")
    assert a["fdi_actual"].growth == D("0.28")
    assert a["fdi_contract"].actual == D("800")
    assert a["foreign_projects"].actual == D("1")
    assert a["domestic_projects"].actual == D("1")  # 广东, not 湖南
    assert a["domestic_actual"].actual == D("5000")
    assert rows[unit_b.code].cells["domestic_actual"].actual == D("0")
    district = report.district
    assert district["fdi_actual"].actual == D("512")
    assert district["fdi_actual"].quota == D("4903")  # the district's own task
    assert district["domestic_actual"].quota == D("140000")
    assert report.months_label == "1–6月"


def test_an_as_of_outside_the_year_is_refused(figures):
    with pytest.raises(CommandError, match="不在 2025 年内"):
        call_command("progress_report", year=YEAR, as_of="2024-12-31", stdout=io.StringIO())
    with pytest.raises(CommandError, match="格式不对"):
        call_command("progress_report", year=YEAR, as_of="2025/6/30", stdout=io.StringIO())


def test_progress_report_writes_the_contracted_csv(figures, unit_a):
    out, err = io.StringIO(), io.StringIO()
    call_command("progress_report", year=YEAR, as_of="2025-06-30", stdout=out, stderr=err)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [
        "单位编码",
        "单位名称",
        "指标",
        "任务数",
        "完成数",
        "完成率",
        "序时进度",
        "超欠百分点",
        "去年同期",
        "同比增长",
        "状态",
    ]
    body = rows[1:]
    assert len(body) % 5 == 0
    assert [r[0] for r in body[-5:]] == ["全区"] * 5
    assert [r[2] for r in body[-5:]] == [
        "fdi_actual",
        "fdi_contract",
        "foreign_projects",
        "domestic_actual",
        "domestic_projects",
    ]
    by_key = {(r[0], r[2]): r for r in body}
    assert by_key[(unit_a.code, "fdi_actual")][3:] == [
        "1000.00",
        "512.00",
        "51.20",
        "50.00",
        "1.20",
        "400.00",
        "28.00",
        "达到序时进度",
    ]
    # no quota → empty rate and points; nothing last year → empty growth
    assert by_key[(unit_a.code, "domestic_actual")][3:] == [
        "",
        "5000.00",
        "",
        "50.00",
        "",
        "0.00",
        "",
        "",  # no quota: no status
    ]
    assert by_key[(unit_a.code, "domestic_projects")][3:5] == ["4", "1"]
    district = by_key[("全区", "fdi_actual")]
    assert district[3:6] == ["4903.00", "512.00", "10.44"]
    assert "进度已写入" in err.getvalue() and "进度已写入" not in out.getvalue()


def test_progress_report_writes_xlsx(figures, tmp_path):
    path = tmp_path / "r.xlsx"
    call_command(
        "progress_report",
        year=YEAR,
        as_of="2025-06-30",
        format="xlsx",
        output=str(path),
        stderr=io.StringIO(),
    )
    # WORKBOOK.md (second release): one sheet with exactly the CSV's columns and values.
    workbook = load_workbook(path)
    assert len(workbook.sheetnames) == 1
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == CSV_HEADER
    fdi = next(r for r in rows if r[0] == "全区" and r[2] == "fdi_actual")
    assert fdi[3:] == (4903, 512, 10.44, 50, -39.56, 400, 28, "严重滞后")
    out = io.StringIO()
    call_command("progress_report", year=YEAR, as_of="2025-06-30", stdout=out, stderr=io.StringIO())
    text = list(csv.reader(io.StringIO(out.getvalue())))
    assert len(text) == len(rows)
    for text_row, cell_row in zip(text[1:], rows[1:], strict=True):
        assert text_row[:3] == list(cell_row[:3]) and text_row[-1] == (cell_row[-1] or "")
        for text_value, value in zip(text_row[3:-1], cell_row[3:-1], strict=True):
            assert (text_value == "") == (value is None)
            if value is not None:
                assert D(text_value) == D(str(value))


def test_the_dashboard_shows_the_figures_and_a_chart(client_as, figures):
    html = (
        client_as("leadership")
        .get(reverse("targets:dashboard"), {"year": YEAR, "as_of": "2025-06-30"})
        .content.decode()
    )
    assert "2025 年 1–6月 招商引资进度" in html
    assert "512.00" in html and "4,903.00" in html and "10.44%" in html
    assert "<svg" in html and "<script>" not in html


def test_the_dashboard_export_is_the_monthly_report(client_as, figures):
    response = client_as("commerce").get(
        reverse("targets:dashboard"), {"year": YEAR, "as_of": "2025-06-30", "export": "xlsx"}
    )
    # Named in Chinese, the year once (issue 16: not progress-2025-2025-06-30.xlsx).
    assert response["Content-Disposition"] == (
        'attachment; filename="progress-2025-06-30.xlsx"; '
        f"filename*=utf-8''{quote('2025年1-6月招商引资进度-2025-06-30.xlsx')}"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["1–6月汇总", "单位排名", "红黑榜", "履约率与成功率", "明细"]
    summary = list(workbook["1–6月汇总"].iter_rows(values_only=True))
    assert "2025年1–6月" in summary[0][0]
    fdi = next(r for r in summary if r[0] == "实际到位外资")
    assert fdi[2:5] == (4903, 512, 10.44)


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "1900"},
        {"as_of": "2025-13-45"},
        {"year": "2025", "as_of": "2019-01-01"},
        {"year": "2025", "as_of": "2999-01-01"},
        {"page": "x", "sort": "<script>"},
    ],
)
def test_bad_parameters_are_a_message_not_a_500(client_as, figures, params):
    response = client_as("commerce").get(reverse("targets:dashboard"), params)
    assert response.status_code == 200
    html = response.content.decode()
    if set(params) - {"page", "sort"}:
        assert "已显示" in html


def test_a_year_without_quotas_says_so(client_as, db):
    html = (
        client_as("commerce").get(reverse("targets:dashboard"), {"year": "2024"}).content.decode()
    )
    assert "2024 年尚未下达任务" in html


def test_the_ranking_orders_units_and_names_the_status(client_as, figures, unit_a, unit_b):
    html = (
        client_as("commerce")
        .get(reverse("targets:ranking"), {"year": YEAR, "as_of": "2025-06-30"})
        .content.decode()
    )
    assert html.index("甲镇") < html.index("乙镇")
    assert "达到序时进度" in html  # unit A: 51.2% ≥ 50%
    assert "严重滞后" in html  # unit B: 0%
    html = (
        client_as("commerce")
        .get(
            reverse("targets:ranking"), {"year": YEAR, "as_of": "2025-06-30", "sort": "-fdi_actual"}
        )
        .content.decode()
    )
    assert html.index("甲镇") < html.index("乙镇")


def test_a_clerk_sees_the_ranking_but_opens_only_their_unit(client_as, figures, unit_a, unit_b):
    html = (
        client_as("clerk")
        .get(reverse("targets:ranking"), {"year": YEAR, "as_of": "2025-06-30"})
        .content.decode()
    )
    assert reverse("targets:unit_dashboard", args=[unit_a.pk]) in html
    assert reverse("targets:unit_dashboard", args=[unit_b.pk]) not in html


def test_the_unit_dashboard(client_as, figures, unit_a):
    html = (
        client_as("clerk")
        .get(
            reverse("targets:unit_dashboard", args=[unit_a.pk]),
            {"year": YEAR, "as_of": "2025-06-30"},
        )
        .content.decode()
    )
    assert "甲镇 · 2025 年 1–6月 完成情况" in html
    assert "51.20%" in html and "+1.20" in html


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("targets:dashboard"), {"year": YEAR, "as_of": "2025-06-30"})
        assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["targets:dashboard", "targets:ranking"])
def test_the_query_count_does_not_grow_with_the_data(client_as, figures, commerce, url_name):
    client = client_as("commerce")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get(reverse(url_name), {"year": YEAR, "as_of": "2025-06-30"}).status_code
                == 200
            )
        return len(ctx.captured_queries)

    before = count()
    for n in range(6):
        unit = UnitFactory()
        project = ForeignProjectFactory(
            unit=unit, signed_on=dt.date(YEAR, 1, 2), approved_on=dt.date(YEAR, 1, 3)
        )
        for day in (3, 4, 5):
            money(project, dt.date(YEAR, day, 1 + n), "10", commerce)
        ProjectFactory(unit=unit, signed_on=dt.date(YEAR, 2, 2))
    assert count() == before


def test_park_events_and_pipeline_pages(client_as, figures, event, unit_a, commerce):
    ProjectFactory(
        unit=unit_a,
        is_park_project=True,
        event=event,
        signed_on=dt.date(YEAR, 3, 1),
        stage="started",
        started_on=dt.date(YEAR, 4, 1),  # 履约率 reads the 开工日期, not the stage
        contract_amount=D("300"),
    )
    rebuild(YEAR)  # the factory wrote past the services: recount the tally the pages read
    event.held_on = dt.date(YEAR, 3, 1)
    event.save()
    client = client_as("leadership")
    params = {"year": YEAR, "as_of": "2025-06-30"}
    html = client.get(reverse("reporting:park"), params).content.decode()
    # 1 park project of the 3 domestic projects signed in 1–6月 (D1, D2 and this one)
    assert "内资签约项目数" in html and "33.33%" in html
    html = client.get(reverse("reporting:events"), params).content.decode()
    assert "深圳招商会" in html and "300.00" in html
    html = client.get(reverse("reporting:pipeline"), params).content.decode()
    # signed this year: F1, D1, D2 (签约) and the park project (开工) → 1 of 4 started
    assert "25.00%（1 / 4）" in html
