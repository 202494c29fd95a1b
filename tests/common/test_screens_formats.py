"""The one formatting set: page filters, history lines, chart axes and spreadsheet cells."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from common.history import history_entries
from common.rounding import MINUS, when_shown
from common.templatetags.portal import count, num, pct, pts, series, when
from common.xlsx import write_sheet
from projects.services import inflow_verify
from targets.charts import cumulative_chart, nice_ceiling
from targets.period import months_label, shown_months_label


def test_one_minus_sign_and_counts_as_integers():
    assert num(Decimal("-1234.5")) == f"{MINUS}1,234.50"
    assert pts(Decimal("-8.34")) == f"{MINUS}8.34" and pct(Decimal("-0.1")) == f"{MINUS}10.00%"
    assert count(Decimal("1.00")) == "1" and count(12000) == "12,000"
    assert num(None) == count(None) == when(None) == "—"


def test_one_date_style_in_local_time():
    moment = dt.datetime(2026, 11, 30, 4, 55, 3, 558897, tzinfo=dt.UTC)
    assert when(moment) == when_shown(moment) == "2026-11-30 12:55"  # Asia/Shanghai
    assert when(dt.date(2026, 3, 1)) == "2026-03-01"


def test_period_labels_and_lists_in_the_readers_language():
    assert shown_months_label(dt.date(2026, 11, 30)) == "1–11月"
    assert shown_months_label(dt.date(2026, 1, 31)) == "1月"
    assert shown_months_label(dt.date(2026, 6, 15)) == "1月1日–6月15日"
    assert series(["单位", "任务"]) == "单位、任务"
    with translation.override("en"):
        assert shown_months_label(dt.date(2026, 11, 30)) == "Jan–Nov"
        assert shown_months_label(dt.date(2026, 1, 31)) == "Jan"
        assert shown_months_label(dt.date(2026, 6, 15)) == "1 Jan–15 Jun"
        assert months_label(dt.date(2026, 11, 30)) == "1–11月"  # exports keep the Chinese
        assert series(["A", "B"]) == "A, B"


@pytest.mark.parametrize(
    "top, ceiling",
    [(Decimal("0.3"), 2), (Decimal(3), 4), (Decimal("4903"), 5000), (Decimal("4902.5"), 5000),
     (Decimal(10), 10), (Decimal("10.01"), 20), (Decimal(45), 50), (Decimal(61), 100)],
)  # fmt: skip
def test_chart_axes_are_round_numbers(top, ceiling):
    assert nice_ceiling(top) == ceiling
    assert (nice_ceiling(top) / 2) == (nice_ceiling(top) / 2).to_integral_value()


def test_the_chart_labels_whole_numbers_and_months():
    svg = cumulative_chart([Decimal("300"), Decimal("450.5"), *[None] * 10], Decimal("4903"),
                           "实际到位外资", "万美元")  # fmt: skip
    assert ">5,000<" in svg and ">2,500<" in svg and ".5<" not in svg
    assert ">3月<" in svg and "2月末 450.50万美元" in svg
    with translation.override("en"):
        english = cumulative_chart([Decimal(1), *[None] * 11], Decimal(3), "t", "projects")
    assert ">Mar<" in english and ">Dec<" in english and "End of Jan: 1 projects" in english


def test_history_names_people_and_objects_and_shows_local_minutes(inflow_a, commerce):
    commerce.first_name = "王"
    commerce.last_name = "核实"
    commerce.save()
    inflow_verify(inflow=inflow_a, user=commerce)
    changes = {c.label: c for c in history_entries(inflow_a)[0].changes}
    verifier = changes["核实人"]
    assert verifier.old == "—" and verifier.new == commerce.display_name
    moment = changes["核实时间"].new
    inflow_a.refresh_from_db()
    assert moment == timezone.localtime(inflow_a.verified_at).strftime("%Y-%m-%d %H:%M")
    assert "+00:00" not in moment and "." not in moment


def test_spreadsheet_cells_are_formatted():
    workbook = Workbook(write_only=True)
    moment = dt.datetime(2026, 11, 30, 4, 55, 3, tzinfo=dt.UTC)
    write_sheet(
        workbook,
        "s",
        ["名称", "金额", "个数", "园区项目", "日期", "时间", "文本时间"],
        [["a", Decimal("85000"), 3, False, dt.date(2026, 3, 1), moment, str(moment)],
         ["b", Decimal("1.5"), 12, "True", None, None, None]],
    )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(buffer).active
    assert sheet.freeze_panes == "A2"
    first, second = sheet[2], sheet[3]
    assert first[1].value == 85000 and first[1].number_format == "#,##0.00"
    assert first[2].value == 3 and first[2].number_format == "General"
    assert first[3].value == "否" and second[3].value == "是"
    assert first[4].number_format == "yyyy-mm-dd"
    local = dt.datetime(2026, 11, 30, 12, 55)
    assert first[5].value == local and first[5].number_format == "yyyy-mm-dd hh:mm"
    assert first[6].value == local  # a moment a table handed over as text
    assert sheet.column_dimensions["B"].width >= len("85,000.00")
