"""Figures a district can sign, through the database: progress_report's 状态 column and
rounding, pages that show the same figures, read paths that create no year, the capped
ranking, the park page's note, and the home province that recounts at once."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from projects import services as project_services
from projects.counting import rebuild
from projects.home_province import year_home_province_set
from targets.models import AssessmentYear, Indicator, Rollup
from targets.services import quotas_save, year_get_or_create

YEAR = 2025
MINUS = "\u2212"


@pytest.fixture
def ind(db):
    return {i.code: i for i in Indicator.objects.all()}


def put(unit, indicator, day: dt.date, amount) -> None:
    """A rollup cell as the counting services leave it (a month row and a day row)."""
    for day_no in (0, day.day):
        Rollup.objects.create(
            unit=unit,
            indicator=indicator,
            year=day.year,
            month=day.month,
            day=day_no,
            amount=D(amount),
        )


@pytest.fixture
def figures(unit_a, unit_b, ind):
    """1–5月 2025, each row one of the issue's cases."""
    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("300"),  # 100 → 33.33 − 41.67 = −8.34
            (unit_a.pk, ind["domestic_actual"].pk): D("1000"),  # 123.45 → 12.35
            (unit_a.pk, ind["domestic_projects"].pk): D("4"),
            (unit_b.pk, ind["fdi_actual"].pk): D("1200"),  # 500 → exactly on schedule
            (unit_b.pk, ind["domestic_actual"].pk): D("1000"),  # 650.5, +62.63% on 400
            (unit_b.pk, ind["foreign_projects"].pk): D("0"),  # a quota of zero: no task
        },
        district_values={ind["fdi_actual"].pk: D("4903")},
    )
    may = dt.date(YEAR, 5, 20)
    put(unit_a, ind["fdi_actual"], may, "100")
    put(unit_a, ind["domestic_actual"], may, "123.45")
    put(unit_a, ind["domestic_projects"], may, "3")
    put(unit_b, ind["fdi_actual"], may, "500")
    put(unit_b, ind["domestic_actual"], may, "650.5")
    put(unit_b, ind["foreign_projects"], may, "2")
    put(unit_b, ind["domestic_actual"], dt.date(YEAR - 1, 4, 1), "400")
    put(unit_b, ind["fdi_actual"], dt.date(YEAR - 1, 4, 1), "600")  # 500 on 600: a fall


def report_rows(as_of="2025-05-31") -> dict:
    out = io.StringIO()
    call_command("progress_report", year=YEAR, as_of=as_of, stdout=out, stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][-1] == "状态" and len(rows[0]) == 11
    return {(r[0], r[2]): r[3:] for r in rows[1:]}


def test_progress_report_rounds_half_up_and_names_the_status(figures, unit_a, unit_b):
    rows = report_rows()
    # 任务数, 完成数, 完成率, 序时进度, 超欠百分点, 去年同期, 同比增长, 状态
    assert rows[(unit_a.code, "fdi_actual")] == [
        "300.00", "100.00", "33.33", "41.67", "-8.34", "0.00", "", "严重滞后",
    ]  # fmt: skip
    assert rows[(unit_a.code, "domestic_actual")][2] == "12.35"
    assert rows[(unit_a.code, "domestic_projects")] == [
        "4", "3", "75.00", "41.67", "33.33", "0", "", "达到序时进度",
    ]  # fmt: skip
    # exactly on schedule: 0.00 (never −0.00), green; and a fall year on year stays green
    assert rows[(unit_b.code, "fdi_actual")] == [
        "1200.00", "500.00", "41.67", "41.67", "0.00", "600.00", "-16.67", "达到序时进度",
    ]  # fmt: skip
    assert rows[(unit_b.code, "domestic_actual")][5:] == ["400.00", "62.63", "达到序时进度"]
    # a quota of zero: no rate, no points, no status
    assert rows[(unit_b.code, "foreign_projects")] == ["0", "2", "", "41.67", "", "0", "", ""]
    # no quota at all: empty cells, 序时进度 on every row
    assert rows[(unit_a.code, "fdi_contract")] == ["", "0.00", "", "41.67", "", "0.00", "", ""]
    district = rows[("全区", "fdi_actual")]
    assert district == [
        "4903.00",
        "600.00",
        "12.24",
        "41.67",
        "-29.43",
        "600.00",
        "0.00",
        "严重滞后",
    ]
    assert rows[("全区", "domestic_actual")][-1] == ""  # the district has no task there


def test_progress_report_uses_the_years_threshold(figures, unit_a):
    year = AssessmentYear.objects.get(year=YEAR)
    year.lag_threshold = D("0.75")  # 33.33 ≥ 0.75 × 41.67 = 31.2525
    year.save()
    assert report_rows()[(unit_a.code, "fdi_actual")][-1] == "落后序时进度"


def test_the_pages_show_the_same_figures(client_as, figures, unit_a, unit_b):
    params = {"year": YEAR, "as_of": "2025-05-31"}
    html = (
        client_as("commerce")
        .get(reverse("targets:unit_dashboard", args=[unit_a.pk]), params)
        .content.decode()
    )
    assert "33.33%" in html and "41.67%" in html and f"{MINUS}8.34" in html
    assert "12.35%" in html and "-8.3" not in html and "-0.00" not in html
    html = (
        client_as("commerce")
        .get(reverse("targets:unit_dashboard", args=[unit_b.pk]), params)
        .content.decode()
    )
    # ahead of schedule but below last year: green, with its own 同比下降 marker
    assert "达到序时进度" in html and "同比下降" in html and "严重滞后" not in html
    assert "62.63%" in html and f"{MINUS}16.67%" in html
    html = client_as("commerce").get(reverse("targets:dashboard"), params).content.decode()
    assert "12.24%" in html and f"{MINUS}29.43" in html and "欠序时进度29.43个百分点" in html


def test_a_rate_that_reads_100_but_is_short_says_how_much(client_as, unit_a, ind):
    quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, ind["fdi_actual"].pk): D("10000")},
        district_values={ind["fdi_actual"].pk: D("10000")},
    )
    put(unit_a, ind["fdi_actual"], dt.date(YEAR, 12, 1), "9999.99")
    params = {"year": YEAR, "as_of": "2025-12-31"}
    html = (
        client_as("commerce")
        .get(reverse("targets:unit_dashboard", args=[unit_a.pk]), params)
        .content.decode()
    )
    assert "100.00%" in html and "差 0.01" in html
    html = client_as("commerce").get(reverse("targets:dashboard"), params).content.decode()
    assert "差 0.01 万美元" in html


def test_the_ranking_caps_each_rate_and_says_so(client_as, unit_a, unit_b, ind):
    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("1"),  # 2185%: counts as 120%
            (unit_a.pk, ind["domestic_actual"].pk): D("1000"),  # 0%
            (unit_b.pk, ind["fdi_actual"].pk): D("100"),  # 90%
        },
        district_values={},
    )
    put(unit_a, ind["fdi_actual"], dt.date(YEAR, 3, 1), "21.85")
    put(unit_b, ind["fdi_actual"], dt.date(YEAR, 3, 1), "90")
    html = (
        client_as("commerce")
        .get(reverse("targets:ranking"), {"year": YEAR, "as_of": "2025-06-30"})
        .content.decode()
    )
    assert html.index("乙镇") < html.index("甲镇")  # 90% before a capped mean of 60%
    assert "60.00" in html and "2185.00%" in html  # 综合得分 (120 + 0) ÷ 2
    assert "每项完成率超过 120% 的按 120% 计" in html


def test_equal_shown_means_share_a_place(unit_a, unit_b, ind):
    from targets.reports import build_report, ranking_places

    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("100"),
            (unit_b.pk, ind["fdi_actual"].pk): D("100"),
        },
        district_values={},
    )
    put(unit_a, ind["fdi_actual"], dt.date(YEAR, 3, 1), "50")
    put(unit_b, ind["fdi_actual"], dt.date(YEAR, 3, 1), "50")
    report = build_report(year_get_or_create(YEAR), dt.date(YEAR, 6, 30))
    assert [place for place, _row in ranking_places(report)] == [1, 1]


# --- read paths create nothing -------------------------------------------------------------


def test_progress_report_for_an_unknown_year_creates_no_year(db, tmp_path):
    assert not AssessmentYear.objects.exists()
    out = io.StringIO()
    call_command("progress_report", year=2019, as_of="2019-06-30", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("单位编码")
    call_command(
        "progress_report", year=2019, as_of="2019-06-30", format="xlsx",
        output=str(tmp_path / "r.xlsx"), stderr=io.StringIO(),
    )  # fmt: skip
    assert not AssessmentYear.objects.exists()
    with pytest.raises(CommandError, match="年度 1900 无效"):
        call_command("progress_report", year=1900, as_of="1900-06-30", stdout=io.StringIO())


@pytest.mark.parametrize(
    "url_name",
    [
        "targets:dashboard",
        "targets:ranking",
        "reporting:park",
        "reporting:events",
        "reporting:pipeline",
    ],
)
def test_pages_for_an_unknown_year_create_no_year(client_as, unit_a, url_name):
    response = client_as("commerce").get(reverse(url_name), {"year": "2019"})
    assert response.status_code == 200
    response = client_as("commerce").get(
        reverse("targets:unit_dashboard", args=[unit_a.pk]), {"year": "2019"}
    )
    assert response.status_code == 200
    assert client_as("commerce").get(reverse("targets:quotas", args=[2019])).status_code == 200
    assert not AssessmentYear.objects.exists()


def test_an_unknown_year_is_read_with_its_defaults(client_as, db):
    html = client_as("commerce").get(reverse("reporting:park"), {"year": "2019"}).content.decode()
    assert "湖南省" in html and not AssessmentYear.objects.exists()


def test_the_park_page_says_why_its_domestic_totals_differ(client_as, db):
    html = client_as("leadership").get(reverse("reporting:park"), {"year": YEAR}).content.decode()
    assert "本省资金不算境内省外资金" in html


# --- the home province recounts at once ----------------------------------------------------


def _cells() -> dict:
    return {
        (r.unit_id, r.indicator_id, r.year, r.month, r.day): r.amount
        for r in Rollup.objects.all()
        if r.amount
    }


@pytest.fixture
def two_provinces(unit_a, commerce):
    year_get_or_create(YEAR)
    for code, origin, amount in (("D-GD", "广东省", "5000"), ("D-HN", "湖南省", "7000")):
        project = project_services.project_create(
            user=commerce,
            data={
                "code": code,
                "name": f"内资{code}",
                "capital_type": "domestic",
                "unit": unit_a,
                "origin": origin,
                "stage": "signed",
                "signed_on": dt.date(YEAR, 4, 1),
            },
        )
        inflow = project_services.inflow_create(
            user=commerce,
            project=project,
            data={"arrived_on": dt.date(YEAR, 4, 2), "amount": D(amount), "voucher_no": code},
        )
        project_services.inflow_verify(inflow=inflow, user=commerce)


def _domestic(unit, as_of=dt.date(YEAR, 6, 30)) -> D:
    from targets.reports import build_report

    report = build_report(AssessmentYear.objects.get(year=YEAR), as_of)
    row = next(r for r in report.units if r.unit.pk == unit.pk)
    return row.cells["domestic_actual"].actual, row.cells["domestic_projects"].actual


def test_changing_the_home_province_recounts_in_the_same_transaction(
    two_provinces, unit_a, commerce
):
    assert _domestic(unit_a) == (D("5000"), D("1"))  # 广东 counts, 湖南 is the home province
    year_home_province_set(year=YEAR, province="广东省", user=commerce, reason="行政区划调整")
    assert _domestic(unit_a) == (D("7000"), D("1"))  # now 湖南 counts and 广东 does not
    live = _cells()
    rebuild()
    assert live == _cells()  # the rollup equals a rebuild, without anyone running one
    assert AssessmentYear.objects.get(year=YEAR).home_province == "广东省"
    assert AssessmentYear.history.filter(history_change_reason="行政区划调整").exists()


@pytest.mark.parametrize(
    ("province", "reason", "message"),
    [("湖南", "笔误", "不是省级行政区名称"), ("广东省", "  ", "请填写修改本省的原因")],
)
def test_a_bad_home_province_changes_nothing(two_provinces, commerce, province, reason, message):
    before = _cells()
    with pytest.raises(ValidationError, match=message):
        year_home_province_set(year=YEAR, province=province, user=commerce, reason=reason)
    assert AssessmentYear.objects.get(year=YEAR).home_province == "湖南省"
    assert _cells() == before


def test_the_home_province_page_recounts(client_as, two_provinces, unit_a):
    url = reverse("projects:home_province", args=[YEAR])
    html = client_as("commerce").get(url).content.decode()
    assert "<select" in html and "广东省" in html
    response = client_as("commerce").post(url, {"province": "湖南", "reason": "试"})
    assert response.status_code == 200 and "请从列表中选择" in response.content.decode()
    response = client_as("commerce").post(url, {"province": "广东省", "reason": "调整"})
    assert response.status_code == 302
    assert _domestic(unit_a) == (D("7000"), D("1"))
    live = _cells()
    rebuild()
    assert live == _cells()
    assert (
        client_as("leadership").post(url, {"province": "北京市", "reason": "x"}).status_code == 403
    )
    assert AssessmentYear.objects.get(year=YEAR).home_province == "广东省"


def test_the_year_admin_edits_the_threshold_and_links_to_the_home_province(client, db):
    from accounts.models import User

    year = year_get_or_create(YEAR)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x-password-1"))
    url = reverse("admin:targets_assessmentyear_change", args=[year.pk])
    page = client.get(url).content.decode()
    assert 'name="lag_threshold"' in page and 'name="home_province"' not in page
    assert reverse("projects:home_province", args=[YEAR]) in page
    data = {
        "year": YEAR,
        "deposit_amount": "3000.00",
        "deposit_due_date": "2025-04-15",
        "schedule_mode": "months",
        "lag_threshold": "0.75",
        "board_size": "5",
    }
    assert client.post(url, data).status_code == 302
    year.refresh_from_db()
    assert year.lag_threshold == D("0.75") and year.home_province == "湖南省"


def test_progress_report_refuses_an_output_folder_that_does_not_exist(db, tmp_path):
    with pytest.raises(CommandError, match=r"输出文件夹.*不存在"):
        call_command(
            "progress_report",
            year=YEAR,
            as_of="2025-06-30",
            output=str(tmp_path / "missing" / "r.csv"),
            stderr=io.StringIO(),
        )


def test_the_workbooks_carry_the_shown_figures(client_as, figures, unit_a, unit_b, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "r.xlsx"
    call_command(
        "progress_report", year=YEAR, as_of="2025-05-31", format="xlsx", output=str(path),
        stderr=io.StringIO(),
    )  # fmt: skip
    rows = {
        (r[0], r[2]): r[3:] for r in load_workbook(path).worksheets[0].iter_rows(values_only=True)
    }
    assert rows[(unit_a.code, "fdi_actual")] == (300, 100, 33.33, 41.67, -8.34, 0, None, "严重滞后")
    assert rows[(unit_a.code, "domestic_actual")][2] == 12.35
    assert rows[(unit_b.code, "domestic_actual")][6] == 62.63
    assert rows[(unit_b.code, "fdi_actual")][4] == 0  # not −0.00
    response = client_as("commerce").get(
        reverse("targets:ranking"), {"year": YEAR, "as_of": "2025-05-31", "export": "xlsx"}
    )
    detail = load_workbook(io.BytesIO(response.content))["明细"]
    rows = {(r[0], r[2]): r[3:] for r in detail.iter_rows(values_only=True)}
    # people read the indicator's name and its unit, not its code
    assert rows[(unit_a.code, "实际到位外资")] == (
        "万美元",
        300,
        100,
        33.33,
        41.67,
        -8.34,
        0,
        None,
        "严重滞后",
    )
