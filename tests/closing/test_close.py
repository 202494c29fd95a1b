"""Closing a month: the frozen figures, closing again, months not ended, reopening."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from closing import services
from projects import services as project_services
from targets import closes
from targets.models import CloseState, PeriodClose
from targets.reports import build_report, csv_rows
from targets.selectors import year_settings
from tests.closing.conftest import YEAR

JUNE = dt.date(YEAR, 6, 30)


def fdi(report, unit=None):
    if unit is None:
        return report.district["fdi_actual"]
    return next(r for r in report.units if r.unit.pk == unit.pk).cells["fdi_actual"]


def test_a_frozen_report_reads_back_exactly_as_it_was_built(figures):
    live = build_report(year_settings(YEAR), JUNE)
    thawed = closes.thaw(year_settings(YEAR), closes.freeze(live))
    assert list(csv_rows(thawed)) == list(csv_rows(live))
    assert [(p, r.unit.pk) for p, r in closes.ranking_places(thawed)] == [
        (p, r.unit.pk) for p, r in closes.ranking_places(live)
    ]


def test_a_verification_after_the_close_changes_the_live_figures_not_the_closed(
    figures, commerce, unit_a
):
    outcome = services.month_close(year=YEAR, month=6, user=commerce)
    assert outcome.created
    assert fdi(closes.closed_report(YEAR, 6), unit_a).actual == D("512")

    project_services.inflow_verify(inflow=figures["pending"], user=commerce)  # arrived in May

    assert fdi(build_report(year_settings(YEAR), JUNE), unit_a).actual == D("612")
    frozen = closes.closed_report(YEAR, 6)
    assert fdi(frozen, unit_a).actual == D("512")
    assert fdi(frozen).actual == D("512")
    assert fdi(frozen).last_year == D("400")
    assert frozen.as_of == JUNE


def test_the_snapshot_keeps_every_figure_status_score_and_place(figures, commerce, unit_a, unit_b):
    close = services.month_close(year=YEAR, month=6, user=commerce).close
    units = {u["code"]: u for u in close.snapshot["units"]}
    a = units[unit_a.code]
    assert a["cells"]["fdi_actual"] == {
        "quota": "1000.00",
        "actual": "512.00",
        "last_year": "400.00",
        "rate": "51.20",
        "points": "1.20",
        "growth": "28.00",
        "status": "达到序时进度",
    }
    assert units[unit_b.code]["cells"]["fdi_actual"]["status"] == "严重滞后"
    assert a["place"] == 1 and units[unit_b.code]["place"] == 2
    assert a["shown_score"] is not None
    assert close.closed_by == commerce and close.closed_by_name == "commerce"


def test_closing_again_changes_nothing(figures, commerce):
    first = services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)
    again = services.month_close(year=YEAR, month=6, user=None)
    assert not again.created
    assert again.close.pk == first.close.pk
    assert again.close.snapshot == first.close.snapshot
    assert PeriodClose.objects.count() == 1


def test_a_month_that_has_not_ended_is_refused(db, commerce):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="尚未结束"):
        services.month_close(year=today.year, month=today.month, user=commerce)
    assert not PeriodClose.objects.exists()


def test_months_close_in_any_order(figures, commerce):
    services.month_close(year=YEAR, month=9, user=commerce)
    services.month_close(year=YEAR, month=3, user=commerce)
    assert closes.closed_report(YEAR, 3).as_of == dt.date(YEAR, 3, 31)
    assert closes.closed_report(YEAR, 9).as_of == dt.date(YEAR, 9, 30)
    assert closes.closed_report(YEAR, 6) is None


def test_only_the_commerce_bureau_closes(figures, finance, clerk):
    for user in (finance, clerk):
        with pytest.raises(PermissionDenied):
            services.month_close(year=YEAR, month=6, user=user)


def test_reopening_needs_a_reason_keeps_the_history_and_allows_a_new_close(figures, commerce):
    first = services.month_close(year=YEAR, month=6, user=commerce).close
    with pytest.raises(ValidationError, match="原因"):
        services.month_reopen(year=YEAR, month=6, reason="  ", user=commerce)
    services.month_reopen(year=YEAR, month=6, reason="补录五月到账", user=commerce)
    first.refresh_from_db()
    assert first.state == CloseState.REOPENED and first.reopen_reason == "补录五月到账"
    assert closes.closed_report(YEAR, 6) is None

    project_services.inflow_verify(inflow=figures["pending"], user=commerce)
    second = services.month_close(year=YEAR, month=6, user=commerce)
    assert second.created and second.close.pk != first.pk
    assert fdi(closes.closed_report(YEAR, 6)).actual == D("612")
    assert PeriodClose.objects.filter(month=6).count() == 2
    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == ["month_close", "month_reopen", "month_close"]
    with pytest.raises(ValidationError, match="没有关账"):
        services.month_reopen(year=YEAR, month=5, reason="x", user=commerce)


def test_the_database_keeps_one_live_close_per_month(figures, commerce):
    from django.db import IntegrityError, transaction

    close = services.month_close(year=YEAR, month=6, user=commerce).close
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodClose.objects.create(
            year=close.year,
            month=6,
            closed_at=timezone.now(),
            closed_by_name="x",
            snapshot={},
        )


# --- the pages ----------------------------------------------------------------------------


def test_the_months_page_closes_and_reopens(figures, client_as):
    client = client_as("commerce")
    url = reverse("closing:months", args=[YEAR])
    assert "关账 1–6月" in client.get(url).content.decode()
    response = client.post(reverse("closing:close", args=[YEAR, 6]), follow=True)
    assert "2025 年 1–6 月已关账" in response.content.decode()
    response = client.post(reverse("closing:close", args=[YEAR, 6]), follow=True)
    assert "未做任何修改" in response.content.decode()
    response = client.post(reverse("closing:reopen", args=[YEAR, 6]), {"reason": ""}, follow=True)
    assert "必须写明原因" in response.content.decode()
    assert closes.live_close(YEAR, 6) is not None
    response = client.post(
        reverse("closing:reopen", args=[YEAR, 6]), {"reason": "数据更正"}, follow=True
    )
    assert "重新开账（原因：数据更正）" in response.content.decode()
    assert closes.live_close(YEAR, 6) is None


def test_a_month_not_ended_cannot_be_closed_from_the_page(db, client_as):
    today = timezone.localdate()
    response = client_as("commerce").post(
        reverse("closing:close", args=[today.year, today.month]), follow=True
    )
    assert "尚未结束" in response.content.decode()
    assert not PeriodClose.objects.exists()


def test_pages_show_the_frozen_figures_by_default_with_a_switch(figures, commerce, client_as):
    services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)
    client = client_as("leadership")
    query = f"?year={YEAR}&as_of={JUNE.isoformat()}"
    for name in ("targets:dashboard", "targets:ranking"):
        frozen = client.get(reverse(name) + query)
        assert frozen.context["report"].district["fdi_actual"].actual == D("512")
        assert "显示 1–6月 关账数据" in frozen.content.decode()
        assert "live=1" in frozen.content.decode()
        live = client.get(reverse(name) + query + "&live=1")
        assert live.context["report"].district["fdi_actual"].actual == D("612")
        assert "显示实时数据" in live.content.decode()
    # a period that is not closed shows the live figures without the banner
    open_page = client.get(reverse("targets:dashboard") + f"?year={YEAR}&as_of={YEAR}-05-31")
    assert open_page.context["close"] is None
    assert 'id="close-state"' not in open_page.content.decode()


def test_the_unit_page_shows_the_frozen_figures(figures, commerce, client_as, unit_a):
    services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)
    url = reverse("targets:unit_dashboard", args=[unit_a.pk]) + f"?year={YEAR}&as_of=2025-06-30"
    response = client_as("clerk").get(url)
    assert response.context["row"].cells["fdi_actual"].actual == D("512")
    response = client_as("clerk").get(url + "&live=1")
    assert response.context["row"].cells["fdi_actual"].actual == D("612")


def test_the_export_says_whether_it_is_the_closed_or_the_live_report(figures, commerce, client_as):
    from io import BytesIO

    from openpyxl import load_workbook

    services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)
    client = client_as("commerce")
    base = reverse("targets:dashboard") + f"?year={YEAR}&as_of=2025-06-30&export=xlsx"
    for query, mark, amount in (("", "〔关账数据〕", 512), ("&live=1", "〔实时数据〕", 612)):
        response = client.get(base + query)
        sheet = load_workbook(BytesIO(response.content)).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert mark in rows[0][0]
        fdi_row = next(r for r in rows if r and r[0] == "实际到位外资")
        assert fdi_row[3] == amount


def test_the_frozen_score_keeps_the_scheme_and_the_adjustments_of_the_close(
    figures, commerce, unit_a, unit_b
):
    from targets.services import adjustment_create

    adjustment_create(year=YEAR, unit=unit_b, points=D("3"), reason="省级签约", user=commerce)
    live_before = build_report(year_settings(YEAR), JUNE)
    scores = {row.unit.pk: row.score for row in live_before.units if row.has_quota}
    assert scores[unit_b.pk] == D("3")  # nothing done, plus 3 points
    services.month_close(year=YEAR, month=6, user=commerce)
    adjustment_create(year=YEAR, unit=unit_b, points=D("-10"), reason="漏报", user=commerce)

    frozen = closes.closed_report(YEAR, 6)
    assert {r.unit.pk: r.score for r in frozen.units if r.has_quota} == scores
    live = build_report(year_settings(YEAR), JUNE)
    assert next(r for r in live.units if r.unit.pk == unit_b.pk).score == D("-7")


def test_report_for_serves_the_frozen_report_only_at_a_closed_month_end(figures, commerce):
    services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)
    settings = year_settings(YEAR)
    frozen, close = closes.report_for(settings, JUNE)
    assert close is not None and fdi(frozen).actual == D("512")
    live, close = closes.report_for(settings, JUNE, live=True)
    assert close is not None and fdi(live).actual == D("612")
    mid, close = closes.report_for(settings, dt.date(YEAR, 6, 29))
    assert close is None and fdi(mid).actual == D("400")  # 300 + the May 100; not 30 June's
    may, close = closes.report_for(settings, dt.date(YEAR, 5, 31))
    assert close is None and fdi(may).actual == D("400")


def test_the_homes_read_the_frozen_figures_when_today_ends_a_closed_month(
    figures, commerce, monkeypatch
):
    from portal import selectors as home_selectors

    services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)
    monkeypatch.setattr("targets.reports.timezone.localdate", lambda: JUNE)
    assert fdi(home_selectors.progress_report(JUNE)).actual == D("512")


def test_the_dashboards_chart_keeps_the_months_as_frozen(figures, commerce, client_as):
    services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)  # May: +100
    series = closes.frozen_series(closes.live_close(YEAR, 6))
    assert series["fdi_actual"][:6] == [D(0), D(0), D(300), D(300), D(300), D(512)]
    from targets.selectors import monthly_district_series

    assert monthly_district_series(YEAR)["fdi_actual"][4] == D(400)  # live May
    client = client_as("commerce")
    page = client.get(reverse("targets:dashboard") + f"?year={YEAR}&as_of=2025-06-30")
    live = client.get(reverse("targets:dashboard") + f"?year={YEAR}&as_of=2025-06-30&live=1")
    assert page.context["cards"][0]["chart"] != live.context["cards"][0]["chart"]


def test_a_close_reminds_the_clerks_and_leaders_once_per_close(
    figures, commerce, clerk, leadership, finance
):
    services.month_close(year=YEAR, month=6, user=commerce)
    services.month_close(year=YEAR, month=6, user=commerce)  # already closed: nothing new
    assert [n.title for n in clerk.notifications.all()] == [f"{YEAR} 年 1–6月 已关账"]
    assert leadership.notifications.count() == 1
    assert not finance.notifications.exists() and not commerce.notifications.exists()
    services.month_reopen(year=YEAR, month=6, reason="补录两笔到位资金", user=commerce)
    services.month_close(year=YEAR, month=6, user=commerce)  # a new close: a new reminder
    assert clerk.notifications.count() == 2
