"""The assessment scheme through the database: reported indicators, scheme lines and
加减分 (services and bulk services), the ranking by 综合得分 (pages, homes, exports and
``ranking_report`` against a hand-computed example), and the deposit following the scheme."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from common.bulk import CREATED, UNCHANGED, UPDATED, BulkItem
from deposits import settlement as arithmetic
from deposits.services import owing_units, settlement_preview
from targets.models import (
    AssessmentYear,
    Indicator,
    IndicatorKind,
    Quota,
    Rollup,
    SchemeEntry,
    ScoreAdjustment,
)
from targets.reports import build_report, ranking_places
from targets.selectors import deposit_indicator_ids, year_settings
from targets.services import (
    SchemeLine,
    adjustment_bulk_save,
    adjustment_create,
    indicator_bulk_save,
    indicator_create,
    indicator_update,
    quota_bulk_save,
    quotas_save,
    scheme_bulk_save,
    scheme_copy_from_previous,
    scheme_save,
    year_get_or_create,
)
from tests.factories import UnitFactory

YEAR = 2025
AS_OF = dt.date(YEAR, 5, 31)


@pytest.fixture
def ind(db):
    return {i.code: i for i in Indicator.objects.all()}


@pytest.fixture
def factory(db):
    return indicator_create(code="std_factory", name="标准厂房", unit_label="平方米")


def put(unit, indicator, day: dt.date, amount) -> None:
    """A rollup cell as the counting services leave it (a month row and a day row)."""
    for day_no in (0, day.day):
        Rollup.objects.create(
            unit=unit, indicator=indicator, year=day.year, month=day.month, day=day_no,
            amount=D(amount),
        )  # fmt: skip


def settle(year: int) -> None:
    AssessmentYear.objects.filter(year=year).update(settled=True)


@pytest.fixture
def worked(unit_a, unit_b, ind, factory):
    """The hand-computed example (1–5月 2025):

    scheme: fdi_actual weight 3 cap 120%; std_factory weight 1 cap 110% (not for the
    deposit); domestic_actual has no line, so it weighs 0.
    甲镇 A01: fdi 150 of 100 (150% → 120%), 标准厂房 680 of 1000 (68%):
        (3 × 1.2 + 1 × 0.68) ÷ 4 × 100 = 107.00; +2 → 109.00
    丙镇 C01: 标准厂房 400 of 300 (133.33% → 110%): 110.00; −1 → 109.00 (a tie with 甲镇)
    乙镇 B01: fdi 100 of 200 (50%), domestic 500 of 500 (weight 0): 50.00; −1 + 0.5 → 49.50
    丁镇 D01: a quota of zero only: not ranked.
    """
    unit_c = UnitFactory(code="C01", name="丙镇")
    unit_d = UnitFactory(code="D01", name="丁镇")
    fdi, dom = ind["fdi_actual"], ind["domestic_actual"]
    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, fdi.pk): D("100"),
            (unit_a.pk, factory.pk): D("1000"),
            (unit_c.pk, factory.pk): D("300"),
            (unit_b.pk, fdi.pk): D("200"),
            (unit_b.pk, dom.pk): D("500"),
            (unit_d.pk, fdi.pk): D("0"),
        },
        district_values={factory.pk: D("40000")},
    )
    scheme_save(
        year=YEAR,
        lines=[
            SchemeLine(fdi.pk, D("3"), D("120"), True),
            SchemeLine(factory.pk, D("1"), D("110"), False),
        ],
    )
    may = dt.date(YEAR, 5, 10)
    put(unit_a, fdi, may, "150")
    put(unit_a, factory, may, "680")
    put(unit_c, factory, may, "400")
    put(unit_b, fdi, may, "100")
    put(unit_b, dom, may, "500")
    adjustment_create(year=YEAR, unit=unit_a, points=D("2"), reason="省级项目签约")
    adjustment_create(year=YEAR, unit=unit_c, points=D("-1"), reason="报表逾期")
    adjustment_create(year=YEAR, unit=unit_b, points=D("-1"), reason="报表逾期")
    adjustment_create(year=YEAR, unit=unit_b, points=D("0.5"), reason="招商活动组织得力")
    return {"a": unit_a, "b": unit_b, "c": unit_c, "d": unit_d}


def ranking_csv(*args) -> list[list[str]]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "ranking_report", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), *args,
        stdout=out, stderr=err,
    )  # fmt: skip
    return list(csv.reader(io.StringIO(out.getvalue())))


# --- the worked example --------------------------------------------------------------------


def test_ranking_report_matches_the_hand_computed_example(worked):
    kind = worked["a"].get_kind_display()
    assert ranking_csv() == [
        ["名次", "单位编码", "单位名称", "单位类型", "得分", "加减分", "综合得分"],
        ["1", "A01", "甲镇", kind, "107.00", "2.00", "109.00"],
        ["1", "C01", "丙镇", kind, "110.00", "-1.00", "109.00"],
        ["3", "B01", "乙镇", kind, "50.00", "-0.50", "49.50"],
    ]


def test_ranking_report_xlsx_has_the_same_values_as_numbers(worked, tmp_path):
    target = tmp_path / "ranking.xlsx"
    ranking_csv("--format", "xlsx", "--output", str(target))
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == ("名次", "单位编码", "单位名称", "单位类型", "得分", "加减分", "综合得分")
    assert [r[:2] for r in rows[1:]] == [(1, "A01"), (1, "C01"), (3, "B01")]
    assert [D(str(v)) for v in rows[3][4:]] == [D("50"), D("-0.5"), D("49.5")]


def test_ranking_report_only_reads(db, tmp_path):
    before = AssessmentYear.objects.count()
    assert ranking_csv() == [
        ["名次", "单位编码", "单位名称", "单位类型", "得分", "加减分", "综合得分"]
    ]
    assert AssessmentYear.objects.count() == before == 0


def test_the_report_carries_the_score_its_parts_and_breakdown(worked, factory):
    report = build_report(year_settings(YEAR), AS_OF)
    rows = {row.unit.code: row for row in report.units}
    a = rows["A01"]
    assert a.base_score == D("107") and a.adjustment_points == D("2") and a.score == D("109")
    parts = {p.code: p for p in a.breakdown}
    assert parts["std_factory"].rate == D("0.68") and parts["std_factory"].weight == D("1")
    assert parts["fdi_actual"].capped_rate == D("1.2") and parts["fdi_actual"].points == D("90")
    assert rows["D01"].score is None  # a zero quota is no task
    assert [(p, r.unit.code) for p, r in ranking_places(report)] == [
        (1, "A01"),
        (1, "C01"),
        (3, "B01"),
    ]
    assert report.deposit_codes == {"fdi_actual"}


def test_adjustments_count_at_every_as_of_date_of_their_year(worked):
    report = build_report(year_settings(YEAR), dt.date(YEAR, 1, 31))  # nothing done yet
    rows = {row.unit.code: row for row in report.units}
    assert rows["A01"].score == D("2") and rows["B01"].score == D("-0.5")


def test_a_year_without_scheme_lines_weighs_every_quota_one_at_120_percent(worked):
    SchemeEntry.objects.all().delete()
    report = build_report(year_settings(YEAR), AS_OF)
    rows = {row.unit.code: row for row in report.units}
    assert rows["A01"].base_score == D("94")  # (120 + 68) ÷ 2
    assert rows["B01"].base_score == D("75")  # (50 + 100) ÷ 2
    assert report.deposit_codes == {i.code for i in report.indicators}


def test_the_ranking_page_shows_scores_and_the_boards(client_as, worked):
    html = (
        client_as("leadership")
        .get(reverse("targets:ranking"), {"year": YEAR, "as_of": AS_OF.isoformat()})
        .content.decode()
    )
    assert "109.00" in html and "49.50" in html and "红榜" in html and "黑榜" in html
    assert html.index("甲镇") < html.index("乙镇")


def test_the_unit_page_shows_how_its_score_is_made(client_as, worked):
    url = reverse("targets:unit_dashboard", args=[worked["a"].pk])
    html = client_as("clerk").get(url, {"year": YEAR, "as_of": AS_OF.isoformat()}).content.decode()
    for text in ("综合得分 109.00", "120.00%", "68.00%", "107.00", "省级项目签约", "+2.00"):
        assert text in html, text


def test_the_1_n_export_carries_the_score_and_the_boards(client_as, worked):
    response = client_as("commerce").get(
        reverse("targets:ranking"), {"year": YEAR, "as_of": AS_OF.isoformat(), "export": "xlsx"}
    )
    book = load_workbook(io.BytesIO(response.content))
    ranking = list(book["单位排名"].iter_rows(values_only=True))
    header = ranking[1]
    assert header[:7] == ("名次", "单位编码", "单位名称", "单位类型", "得分", "加减分", "综合得分")
    assert ranking[2][:2] == (1, "A01") and D(str(ranking[2][6])) == D("109")
    boards = list(book["红黑榜"].iter_rows(values_only=True))[2:]
    assert {(r[0], r[2]) for r in boards} == {("红榜", "A01"), ("红榜", "C01"), ("红榜", "B01")}


def test_the_leaders_home_shows_the_boards(client_as, worked):
    html = client_as("leadership").get(reverse("home")).content.decode()
    assert "红榜" in html and "黑榜" in html


def test_the_ranking_page_query_count_does_not_grow_with_scheme_and_adjustments(
    client_as, worked, ind
):
    client = client_as("commerce")
    url = reverse("targets:ranking")
    params = {"year": YEAR, "as_of": AS_OF.isoformat()}
    client.get(url, params)
    with CaptureQueriesContext(connection) as small:
        client.get(url, params)
    for n in range(8):
        unit = UnitFactory(code=f"X{n:02d}")
        quotas_save(year=YEAR, unit_values={(unit.pk, ind["fdi_actual"].pk): D("10")},
                    district_values={})  # fmt: skip
        adjustment_create(year=YEAR, unit=unit, points=D("1"), reason=f"加分{n}")
        adjustment_create(year=YEAR, unit=unit, points=D("-1"), reason=f"扣分{n}")
    with CaptureQueriesContext(connection) as large:
        client.get(url, params)
    assert len(large) == len(small)


# --- the deposit follows the scheme ---------------------------------------------------------


def test_only_indicators_that_decide_the_deposit_decide_completion(worked, factory):
    # 丙镇 only has 标准厂房, which does not decide the deposit: it owes nothing.
    year = AssessmentYear.objects.get(year=YEAR)
    assert set(owing_units(year).values_list("code", flat=True)) == {"A01", "B01"}
    assert deposit_indicator_ids(YEAR) == {Indicator.objects.get(code="fdi_actual").pk}
    # 甲镇 misses 标准厂房 (68%) but meets fdi_actual (150%): completed.
    lines = {line.unit.code: line for line in settlement_preview(YEAR)}
    assert lines["A01"].amounts.outcome == arithmetic.UNPAID  # it never paid
    assert set(lines["A01"].figures) == {"fdi_actual"}
    assert "C01" not in lines


def test_deposit_completion_is_exact_and_scheme_driven(worked, ind, factory):
    scheme_save(
        year=YEAR,
        lines=[
            SchemeLine(ind["fdi_actual"].pk, D("3"), D("120"), True),
            SchemeLine(factory.pk, D("1"), D("110"), True),
        ],
    )
    owing = owing_units(AssessmentYear.objects.get(year=YEAR))
    assert set(owing.values_list("code", flat=True)) == {"A01", "B01", "C01"}
    lines = {line.unit.code: line for line in settlement_preview(YEAR)}
    assert set(lines["A01"].figures) == {"fdi_actual", "std_factory"}
    assert set(lines["B01"].figures) == {"fdi_actual"}  # domestic_actual weighs 0 now


# --- services ---------------------------------------------------------------------------------


def test_a_settled_year_locks_its_scheme_but_an_unchanged_save_passes(worked, ind, factory):
    settle(YEAR)
    same = [
        SchemeLine(ind["fdi_actual"].pk, D("3"), D("120"), True),
        SchemeLine(factory.pk, D("1"), D("110"), False),
    ]
    assert scheme_save(year=YEAR, lines=same).unchanged == 2
    with pytest.raises(ValidationError, match="考核方案已锁定"):
        scheme_save(year=YEAR, lines=[SchemeLine(ind["fdi_actual"].pk, D("4"))])
    with pytest.raises(ValidationError, match="考核方案已锁定"):
        scheme_save(year=YEAR, lines=[SchemeLine(ind["domestic_actual"].pk, D("1"))])
    assert SchemeEntry.objects.get(year__year=YEAR, indicator=ind["fdi_actual"]).weight == D("3")


def test_scheme_save_refuses_bad_values_and_saves_nothing(db, ind):
    with pytest.raises(ValidationError) as error:
        scheme_save(
            year=YEAR,
            lines=[
                SchemeLine(ind["fdi_actual"].pk, D("2")),
                SchemeLine(ind["fdi_contract"].pk, D("0")),
                SchemeLine(ind["domestic_actual"].pk, D("1"), D("-5")),
            ],
        )
    assert "权重必须大于 0" in str(error.value) and "封顶必须大于 0" in str(error.value)
    assert not SchemeEntry.objects.exists()


def test_only_the_commerce_bureau_edits_the_scheme(users, ind):
    with pytest.raises(PermissionDenied):
        scheme_save(
            year=YEAR, lines=[SchemeLine(ind["fdi_actual"].pk, D("1"))], user=users["finance"]
        )
    with pytest.raises(PermissionDenied):
        adjustment_create(year=YEAR, unit=users["clerk"].unit, points=D("1"), reason="x",
                          user=users["clerk"])  # fmt: skip
    with pytest.raises(PermissionDenied):
        indicator_create(code="x", name="x", unit_label="个", user=users["leadership"])


def test_copy_from_last_year_fills_missing_lines(users, ind, factory):
    scheme_save(
        year=YEAR - 1,
        lines=[
            SchemeLine(ind["fdi_actual"].pk, D("3")),
            SchemeLine(factory.pk, D("1"), D("110"), False),
        ],
    )
    scheme_save(year=YEAR, lines=[SchemeLine(ind["fdi_actual"].pk, D("5"))])
    assert scheme_copy_from_previous(year=YEAR, user=users["commerce"]) == 1
    lines = {e.indicator.code: e for e in SchemeEntry.objects.filter(year__year=YEAR)}
    assert lines["fdi_actual"].weight == D("5")  # kept
    assert lines["std_factory"].cap_percent == D("110") and not lines["std_factory"].decides_deposit
    with pytest.raises(ValidationError, match="2023 年没有考核方案"):
        scheme_copy_from_previous(year=YEAR - 1)
    scheme_save(year=YEAR + 1, lines=[SchemeLine(factory.pk, D("2"))])
    settle(YEAR + 1)
    with pytest.raises(ValidationError, match="考核方案已锁定"):
        scheme_copy_from_previous(year=YEAR + 1)


def test_a_reported_indicator_has_its_rules(db, factory):
    assert factory.kind == IndicatorKind.REPORTED and factory.measure_label == "平方米"
    assert not factory.is_count
    loans = indicator_create(code="loans_2", name="银企对接", unit_label="亿元")
    assert loans.display_order > factory.display_order
    firms = indicator_create(code="new_firms", name="新增注册外资企业", unit_label="个")
    assert firms.is_count
    for code, name, message in (
        ("Bad-Code", "甲", "小写字母"),
        ("std_factory", "乙", "已存在"),
        ("fresh", "标准厂房", "已被其他指标使用"),
        ("blank", "", "请填写指标名称"),
    ):
        with pytest.raises(ValidationError, match=message):
            indicator_create(code=code, name=name, unit_label="个")
    indicator_update(indicator=factory, name="标准厂房竣工面积", unit_label="万平方米")
    factory.refresh_from_db()
    assert (factory.name, factory.code, factory.unit_label) == (
        "标准厂房竣工面积",
        "std_factory",
        "万平方米",
    )
    builtin = Indicator.objects.get(code="fdi_actual")
    with pytest.raises(ValidationError, match="内置指标"):
        indicator_update(indicator=builtin, name="改名", unit_label="万美元")


def test_the_five_built_in_indicators_stay_after_the_upgrade(db):
    rows = list(Indicator.objects.filter(kind=IndicatorKind.BUILTIN).order_by("display_order"))
    assert [i.code for i in rows] == [
        "fdi_actual", "fdi_contract", "foreign_projects", "domestic_actual", "domestic_projects",
    ]  # fmt: skip
    assert [i.unit_label for i in rows] == ["万美元", "万美元", "个", "万元", "个"]
    assert [i.measure for i in rows] == ["wan_usd", "wan_usd", "count", "wan_cny", "count"]


def test_quotas_work_on_a_reported_indicator(db, unit_a, factory, client_as):
    items = [
        BulkItem(data={"year": YEAR, "unit": unit_a, "indicator": factory, "amount": D("500")})
    ]
    quota_bulk_save(items=items)
    assert items[0].action == CREATED
    assert Quota.objects.get(indicator=factory).amount == D("500")
    html = client_as("commerce").get(reverse("targets:quotas", args=[YEAR])).content.decode()
    assert "标准厂房" in html and "平方米" in html


# --- bulk services (the workbook importer calls these) ----------------------------------------


def test_indicator_bulk_save_creates_updates_and_leaves_unchanged(db, factory):
    def batch():
        return [
            BulkItem(data={"code": "std_factory", "name": "标准厂房", "unit_label": "平方米"}),
            BulkItem(data={"code": "loans", "name": "银企对接", "unit_label": "亿元"}),
            BulkItem(data={"code": "fdi_actual", "name": "实际到位外资", "unit_label": "万美元"}),
        ]

    first = indicator_bulk_save(items=batch())
    assert [i.action for i in first] == [UNCHANGED, CREATED, UNCHANGED]
    assert [i.action for i in indicator_bulk_save(items=batch())] == [UNCHANGED] * 3
    again = indicator_bulk_save(
        items=[BulkItem(data={"code": "loans", "name": "银企对接贷款", "unit_label": "亿元"})]
    )
    assert again[0].action == UPDATED
    assert Indicator.objects.get(code="loans").name == "银企对接贷款"


def test_indicator_bulk_save_is_all_or_nothing_with_errors_by_field(db, factory):
    items = indicator_bulk_save(
        items=[
            BulkItem(data={"code": "ok_one", "name": "好指标", "unit_label": "个"}),
            BulkItem(data={"code": "Bad", "name": "坏指标", "unit_label": "个"}),
            BulkItem(data={"code": "fdi_actual", "name": "改名", "unit_label": "万美元"}),
            BulkItem(data={"code": "dup", "name": "标准厂房", "unit_label": "个"}),
            BulkItem(data={"code": "nounit", "name": "无单位", "unit_label": ""}),
        ]
    )
    assert not items[0].errors
    assert [e[0] for e in items[1].errors] == ["code"]
    assert items[2].errors[0][0] == "code" and "内置指标" in items[2].errors[0][1]
    assert items[3].errors[0][0] == "name"
    assert items[4].errors[0][0] == "unit_label"
    assert not Indicator.objects.filter(code="ok_one").exists()


def test_scheme_bulk_save(db, ind, factory, users):
    def batch(weight="3"):
        return [
            BulkItem(data={"year": YEAR, "indicator": ind["fdi_actual"], "weight": D(weight),
                           "cap_percent": None, "decides_deposit": None}),
            BulkItem(data={"year": YEAR, "indicator": factory, "weight": D("1"),
                           "cap_percent": D("110"), "decides_deposit": False}),
        ]  # fmt: skip

    assert [i.action for i in scheme_bulk_save(items=batch())] == [CREATED, CREATED]
    entry = SchemeEntry.objects.get(indicator=ind["fdi_actual"])
    assert (entry.cap_percent, entry.decides_deposit) == (D("120"), True)
    assert [i.action for i in scheme_bulk_save(items=batch())] == [UNCHANGED, UNCHANGED]
    settle(YEAR)
    assert [i.action for i in scheme_bulk_save(items=batch())] == [UNCHANGED, UNCHANGED]
    refused = scheme_bulk_save(items=batch("4"))
    assert refused[0].errors[0][0] == "weight" and "考核方案已锁定" in refused[0].errors[0][1]
    assert SchemeEntry.objects.get(indicator=ind["fdi_actual"]).weight == D("3")
    bad = scheme_bulk_save(
        items=[
            BulkItem(data={"year": YEAR + 1, "indicator": ind["fdi_actual"], "weight": D("2")}),
            BulkItem(data={"year": YEAR + 1, "indicator": factory, "weight": D("0")}),
            BulkItem(data={"year": 1800, "indicator": factory, "weight": D("1")}),
        ]
    )
    assert not bad[0].errors and bad[1].errors[0][0] == "weight" and bad[2].errors[0][0] == "year"
    assert not SchemeEntry.objects.filter(year__year=YEAR + 1).exists()  # all or nothing
    clerk = scheme_bulk_save(items=batch("5"), user=users["clerk"])
    assert all(item.errors for item in clerk)


def test_adjustment_bulk_save(db, unit_a, unit_b):
    def batch(points="2"):
        return [
            BulkItem(
                data={"year": YEAR, "unit": unit_a, "points": D(points), "reason": "省级签约"}
            ),
            BulkItem(
                data={"year": YEAR, "unit": unit_b, "points": D("-1"), "reason": " 报表逾期 "}
            ),
        ]

    assert [i.action for i in adjustment_bulk_save(items=batch())] == [CREATED, CREATED]
    assert [i.action for i in adjustment_bulk_save(items=batch())] == [UNCHANGED, UNCHANGED]
    assert [i.action for i in adjustment_bulk_save(items=batch("3"))] == [UPDATED, UNCHANGED]
    assert ScoreAdjustment.objects.get(unit=unit_a).points == D("3")
    bad = adjustment_bulk_save(
        items=[
            BulkItem(data={"year": YEAR, "unit": unit_a, "points": D("1"), "reason": "新的"}),
            BulkItem(data={"year": YEAR, "unit": unit_a, "points": D("0"), "reason": "零分"}),
            BulkItem(data={"year": YEAR, "unit": unit_a, "points": D("1"), "reason": ""}),
        ]
    )
    assert bad[1].errors[0][0] == "points" and bad[2].errors[0][0] == "reason"
    assert ScoreAdjustment.objects.count() == 2


def test_a_reason_is_unique_per_unit_and_year(db, unit_a, unit_b):
    adjustment_create(year=YEAR, unit=unit_a, points=D("1"), reason="省级签约")
    adjustment_create(year=YEAR, unit=unit_b, points=D("1"), reason="省级签约")
    adjustment_create(year=YEAR + 1, unit=unit_a, points=D("1"), reason="省级签约")
    with pytest.raises(ValidationError, match="已有事由"):
        adjustment_create(year=YEAR, unit=unit_a, points=D("-2"), reason="省级签约")


# --- pages -----------------------------------------------------------------------------------


def scheme_post(indicators, values):
    data = {
        "scheme-TOTAL_FORMS": str(len(indicators)),
        "scheme-INITIAL_FORMS": str(len(indicators)),
    }
    for n, indicator in enumerate(indicators):
        weight, cap, decides = values.get(indicator.code, ("", "120", False))
        data[f"scheme-{n}-indicator"] = str(indicator.pk)
        data[f"scheme-{n}-weight"] = weight
        data[f"scheme-{n}-cap_percent"] = cap
        if decides:
            data[f"scheme-{n}-decides_deposit"] = "on"
    return data


def test_the_commerce_bureau_edits_the_scheme_on_one_page(client_as, factory):
    indicators = list(Indicator.objects.order_by("display_order", "code"))
    client = client_as("commerce")
    url = reverse("targets:scheme", args=[YEAR])
    page = client.get(url).content.decode()
    assert "标准厂房" in page and 'name="scheme-0-weight"' in page
    response = client.post(
        url,
        scheme_post(
            indicators, {"fdi_actual": ("3", "120", True), "std_factory": ("1", "110", False)}
        ),
    )
    assert response.status_code == 302
    lines = {e.indicator.code: e for e in SchemeEntry.objects.filter(year__year=YEAR)}
    assert set(lines) == {"fdi_actual", "std_factory"}
    assert lines["std_factory"].cap_percent == D("110") and not lines["std_factory"].decides_deposit
    bad = client.post(url, scheme_post(indicators, {"fdi_actual": ("-1", "120", True)}))
    assert bad.status_code == 200 and "必须大于 0" in bad.content.decode()
    assert SchemeEntry.objects.get(indicator__code="fdi_actual").weight == D("3")


def test_the_scheme_page_refuses_a_settled_year_with_the_reason(client_as, ind):
    scheme_save(year=YEAR, lines=[SchemeLine(ind["fdi_actual"].pk, D("3"))])
    settle(YEAR)
    client = client_as("commerce")
    url = reverse("targets:scheme", args=[YEAR])
    page = client.get(url).content.decode()
    assert "考核方案已锁定" in page and 'name="scheme-0-weight"' not in page
    indicators = list(Indicator.objects.order_by("display_order", "code"))
    response = client.post(
        url, scheme_post(indicators, {"fdi_actual": ("5", "120", True)}), follow=True
    )
    assert "考核方案已锁定" in response.content.decode()
    assert SchemeEntry.objects.get(indicator__code="fdi_actual").weight == D("3")


def test_others_read_the_scheme(client_as, ind):
    scheme_save(year=YEAR, lines=[SchemeLine(ind["fdi_actual"].pk, D("3"))])
    page = client_as("clerk").get(reverse("targets:scheme", args=[YEAR])).content.decode()
    assert "3.00" in page and "不计分" in page and 'name="scheme-0-weight"' not in page


def test_copy_from_last_year_in_one_click(client_as, ind):
    scheme_save(year=YEAR - 1, lines=[SchemeLine(ind["fdi_actual"].pk, D("3"))])
    response = client_as("commerce").post(reverse("targets:scheme_copy", args=[YEAR]), follow=True)
    assert "已从 2024 年复制 1 项考核方案" in response.content.decode()
    assert SchemeEntry.objects.filter(year__year=YEAR).count() == 1


def test_adjustments_are_added_listed_by_scope_and_deleted(client_as, unit_a, unit_b, users):
    client = client_as("commerce")
    url = reverse("targets:adjustments", args=[YEAR])
    response = client.post(url, {"unit": unit_a.pk, "points": "2.5", "reason": "省级签约"})
    assert response.status_code == 302
    row = ScoreAdjustment.objects.get()
    assert row.entered_by == users["commerce"] and row.points == D("2.5")
    again = client.post(url, {"unit": unit_a.pk, "points": "1", "reason": "省级签约"})
    assert "已有事由" in again.content.decode()
    zero = client.post(url, {"unit": unit_a.pk, "points": "0", "reason": "零"})
    assert "分值不能为 0" in zero.content.decode()
    adjustment_create(year=YEAR, unit=unit_b, points=D("-1"), reason="乙镇扣分")
    assert "乙镇扣分" in client_as("leadership").get(url).content.decode()
    clerk_page = client_as("clerk").get(url).content.decode()
    assert "省级签约" in clerk_page and "乙镇扣分" not in clerk_page
    client.post(reverse("targets:adjustment_delete", args=[row.pk]))
    assert not ScoreAdjustment.objects.filter(pk=row.pk).exists()


def test_reported_indicators_are_added_and_edited_on_their_page(client_as):
    client = client_as("commerce")
    response = client.post(
        reverse("targets:indicator_add"),
        {"code": "std_factory", "name": "标准厂房", "unit_label": "平方米"},
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="std_factory")
    bad = client.post(
        reverse("targets:indicator_add"), {"code": "Bad Code", "name": "x", "unit_label": "个"}
    )
    assert "小写字母" in bad.content.decode()
    client.post(
        reverse("targets:indicator_edit", args=[indicator.pk]),
        {"code": "ignored", "name": "标准厂房面积", "unit_label": "平方米"},
    )
    indicator.refresh_from_db()
    assert (indicator.code, indicator.name) == ("std_factory", "标准厂房面积")
    listing = client.get(reverse("targets:indicators")).content.decode()
    assert "标准厂房面积" in listing and "fdi_actual" in listing
    builtin = Indicator.objects.get(code="fdi_actual")
    assert client.get(reverse("targets:indicator_edit", args=[builtin.pk])).status_code == 404


def test_year_get_or_create_default_board_size(db):
    assert year_get_or_create(YEAR).board_size == 5


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_scheme_and_adjustment_pages_query_count_does_not_grow(client_as, ind):
    client = client_as("commerce")
    scheme_url = reverse("targets:scheme", args=[YEAR])
    adjustments_url = reverse("targets:adjustments", args=[YEAR])
    scheme_save(year=YEAR, lines=[SchemeLine(ind["fdi_actual"].pk, D("1"))])
    unit = UnitFactory(code="Q00")
    adjustment_create(year=YEAR, unit=unit, points=D("1"), reason="r0")
    small = (_count(client, scheme_url), _count(client, adjustments_url))
    for n in range(1, 6):
        indicator_create(code=f"extra_{n}", name=f"报送{n}", unit_label="个")
        unit = UnitFactory(code=f"Q{n:02d}")
        adjustment_create(year=YEAR, unit=unit, points=D("1"), reason=f"r{n}")
        adjustment_create(year=YEAR, unit=unit, points=D("-1"), reason=f"s{n}")
    scheme_save(
        year=YEAR,
        lines=[SchemeLine(i.pk, D("1")) for i in Indicator.objects.all()],
    )
    assert (_count(client, scheme_url), _count(client, adjustments_url)) == small


def test_the_leaders_boards_follow_the_years_size(client_as, ind):
    fdi = ind["fdi_actual"]
    units = [UnitFactory(code=f"R{n:02d}", name=f"单位{n:02d}") for n in range(6)]
    quotas_save(
        year=dt.date.today().year,
        unit_values={(u.pk, fdi.pk): D("100") for u in units},
        district_values={},
    )
    for n, unit in enumerate(units):  # R00 best … R05 worst
        adjustment_create(year=dt.date.today().year, unit=unit, points=D(10 - n), reason="加分")
    AssessmentYear.objects.filter(year=dt.date.today().year).update(board_size=2)
    html = client_as("leadership").get(reverse("home")).content.decode()
    top = html[html.index('id="home-top"') : html.index('id="home-bottom"')]
    start = html.index('id="home-bottom"')
    bottom = html[start : html.index("</section>", start)]  # the 黑榜's own card
    assert "单位00" in top and "单位01" in top and "单位02" not in top
    assert "单位05" in bottom and "单位04" in bottom and "单位03" not in bottom


def test_the_boards_size_is_set_on_the_scheme_page_with_the_scheme(client_as, ind):
    indicators = list(Indicator.objects.order_by("display_order", "code"))
    client = client_as("commerce")
    url = reverse("targets:scheme", args=[YEAR])
    data = scheme_post(indicators, {"fdi_actual": ("3", "120", True)})
    response = client.post(url, {**data, "year-board_size": "3"})
    assert response.status_code == 302
    assert AssessmentYear.objects.get(year=YEAR).board_size == 3
    bad = client.post(url, {**scheme_post(indicators, {"fdi_actual": ("4", "120", True)}),
                            "year-board_size": "0"})  # fmt: skip
    assert "红黑榜名额应在 1–50 之间" in bad.content.decode()
    assert AssessmentYear.objects.get(year=YEAR).board_size == 3
    assert SchemeEntry.objects.get(indicator=ind["fdi_actual"]).weight == D("3")  # neither
