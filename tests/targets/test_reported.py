"""Reported figures (报送): the flow like an inflow's, the scoping, what counts (verified
figures only, for 1–N月 when their month ≤ N) and the history."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.counting import rebuild
from targets import reported as services
from targets.models import Indicator, ReportedFigure, ReportedStatus, Rollup
from targets.reports import build_report
from targets.selectors import rollup_period_totals
from targets.services import quotas_save, year_get_or_create
from tests.conftest import PDF_BYTES
from tests.factories import UnitFactory

YEAR = 2026


def _data(indicator, month=4, amount="1000", **extra):
    return {
        "year": YEAR,
        "month": month,
        "indicator": indicator,
        "amount": D(amount),
        "evidence": ContentFile(PDF_BYTES, name="scan.pdf"),
        **extra,
    }


def _report(user, unit, indicator, month, amount, *, verify_by=None):
    figure = services.reported_create(
        user=user, unit=unit, data=_data(indicator, month=month, amount=amount)
    )
    if verify_by is not None:
        figure = services.reported_verify(figure=figure, user=verify_by)
    return figure


def _cells(unit, indicator):
    return {
        (r.month, r.day): r.amount
        for r in Rollup.objects.filter(unit=unit, indicator=indicator, year=YEAR)
        if r.amount
    }


# --- reporting ------------------------------------------------------------------------------


def test_a_clerk_reports_the_own_units_month_and_it_waits(clerk, unit_a, reported_indicator):
    figure = _report(clerk, unit_a, reported_indicator, 4, "1200.5")
    assert figure.status == ReportedStatus.PENDING
    assert figure.created_by == clerk
    assert figure.evidence_name == "scan.pdf"
    assert _cells(unit_a, reported_indicator) == {}  # nothing counts before the check
    assert figure.history.count() == 1


def test_a_clerk_cannot_report_for_another_unit(clerk, unit_b, reported_indicator):
    with pytest.raises(PermissionDenied):
        _report(clerk, unit_b, reported_indicator, 4, "10")
    assert not ReportedFigure.objects.exists()


def test_a_month_that_has_not_ended_is_refused(clerk, unit_a, reported_indicator):
    today = timezone.localdate()
    ahead = today + dt.timedelta(days=32)
    with pytest.raises(ValidationError, match="还没有结束"):
        services.reported_create(
            user=clerk,
            unit=unit_a,
            data={**_data(reported_indicator), "year": ahead.year, "month": ahead.month},
        )


def test_month_refusal_allows_the_months_last_day():
    assert services.month_refusal(2026, 5, dt.date(2026, 5, 31)) == ""
    assert "还没有结束" in services.month_refusal(2026, 5, dt.date(2026, 5, 30))
    assert "月份" in services.month_refusal(2026, 13, dt.date(2026, 5, 30))


def test_a_built_in_indicator_takes_no_reported_figure(clerk, unit_a):
    built_in = Indicator.objects.get(code="fdi_actual")
    with pytest.raises(ValidationError, match="不是报送指标"):
        _report(clerk, unit_a, built_in, 4, "10")


def test_a_month_is_reported_once_per_unit_and_indicator(clerk, unit_a, reported_indicator):
    _report(clerk, unit_a, reported_indicator, 4, "10")
    with pytest.raises(ValidationError, match="已报送过"):
        _report(clerk, unit_a, reported_indicator, 4, "20")


def test_a_negative_figure_is_refused(clerk, unit_a, reported_indicator):
    with pytest.raises(ValidationError, match="不能为负数"):
        _report(clerk, unit_a, reported_indicator, 4, "-1")


def test_evidence_must_be_a_pdf_or_an_image(clerk, unit_a, reported_indicator):
    data = {**_data(reported_indicator), "evidence": ContentFile(b"MZ\x90\x00", name="x.pdf")}
    with pytest.raises(ValidationError, match="不是有效的"):
        services.reported_create(user=clerk, unit=unit_a, data=data)


def test_the_database_refuses_a_second_figure_of_a_month(unit_a, reported_indicator):
    ReportedFigure.objects.create(
        year=YEAR, month=2, unit=unit_a, indicator=reported_indicator, amount=D(1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportedFigure.objects.create(
            year=YEAR, month=2, unit=unit_a, indicator=reported_indicator, amount=D(2)
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"month": 13},
        {"amount": D(-1)},
        {"status": "returned"},  # without a reason
        {"status": "verified"},  # without a time
        {"status": "bogus"},
    ],
)
def test_the_database_holds_the_rules(unit_a, reported_indicator, fields):
    values = {"year": YEAR, "month": 2, "unit": unit_a, "indicator": reported_indicator}
    values["amount"] = D(1)
    values.update(fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportedFigure.objects.create(**values)


# --- verify, return, correct ---------------------------------------------------------------


def test_verifying_counts_the_figure_on_its_months_last_day(
    clerk, commerce, unit_a, reported_indicator
):
    _report(clerk, unit_a, reported_indicator, 2, "700", verify_by=commerce)
    assert _cells(unit_a, reported_indicator) == {(2, 0): D("700"), (2, 28): D("700")}


def test_a_return_needs_a_reason_and_the_unit_resubmits(
    clerk, commerce, unit_a, reported_indicator
):
    figure = _report(clerk, unit_a, reported_indicator, 4, "10")
    with pytest.raises(ValidationError, match="原因"):
        services.reported_return(figure=figure, user=commerce, reason=" ")
    figure = services.reported_return(figure=figure, user=commerce, reason="面积与验收单不符")
    assert figure.status == ReportedStatus.RETURNED
    figure = services.reported_update(
        figure=figure, user=clerk, data={"amount": D("12"), "indicator": reported_indicator}
    )
    assert figure.status == ReportedStatus.PENDING
    assert figure.amount == D("12")
    reasons = [h.history_change_reason for h in figure.history.order_by("history_id")]
    assert reasons == ["报送", "退回：面积与验收单不符", "修改后重新提交"]
    services.reported_verify(figure=figure, user=commerce)
    assert _cells(unit_a, reported_indicator)[(4, 0)] == D("12")


def test_a_resubmission_without_changes_still_goes_back_to_the_queue(
    clerk, commerce, unit_a, reported_indicator
):
    figure = _report(clerk, unit_a, reported_indicator, 4, "10")
    services.reported_return(figure=figure, user=commerce, reason="请补充验收单")
    figure = services.reported_update(figure=figure, user=clerk, data={"amount": D("10")})
    assert figure.status == ReportedStatus.PENDING


def test_a_verified_figure_cannot_be_edited_by_the_clerk(
    clerk, commerce, unit_a, reported_indicator
):
    figure = _report(clerk, unit_a, reported_indicator, 4, "10", verify_by=commerce)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.reported_update(figure=figure, user=clerk, data={"amount": D("99")})
    with pytest.raises(ValidationError, match="不能删除"):
        services.reported_delete(figure=figure, user=clerk)
    assert ReportedFigure.objects.get(pk=figure.pk).amount == D("10")


def test_only_the_commerce_bureau_verifies(clerk, unit_a, reported_indicator):
    figure = _report(clerk, unit_a, reported_indicator, 4, "10")
    with pytest.raises(PermissionDenied):
        services.reported_verify(figure=figure, user=clerk)
    with pytest.raises(PermissionDenied):
        services.reported_return(figure=figure, user=clerk, reason="x")


def test_taking_a_verification_back_stops_the_count(clerk, commerce, unit_a, reported_indicator):
    figure = _report(clerk, unit_a, reported_indicator, 4, "10", verify_by=commerce)
    with pytest.raises(ValidationError, match="原因"):
        services.reported_unverify(figure=figure, user=commerce, reason="")
    figure = services.reported_unverify(figure=figure, user=commerce, reason="验收单是假的")
    assert figure.status == ReportedStatus.RETURNED
    assert figure.verified_at is None
    assert _cells(unit_a, reported_indicator) == {}


def test_a_returned_or_pending_figure_can_be_deleted_by_its_unit(clerk, unit_a, reported_indicator):
    figure = _report(clerk, unit_a, reported_indicator, 4, "10")
    services.reported_delete(figure=figure, user=clerk)
    assert not ReportedFigure.objects.exists()
    assert ReportedFigure.history.filter(history_type="-").count() == 1


# --- what counts in the 1–N月 figures ---------------------------------------------------------


@pytest.fixture
def three_months(clerk, commerce, unit_a, reported_indicator):
    """Verified March (5,000) and April (3,000), a pending May (9,000), a returned June."""
    _report(clerk, unit_a, reported_indicator, 3, "5000", verify_by=commerce)
    _report(clerk, unit_a, reported_indicator, 4, "3000", verify_by=commerce)
    _report(clerk, unit_a, reported_indicator, 5, "9000")
    june = _report(clerk, unit_a, reported_indicator, 6, "4000")
    services.reported_return(figure=june, user=commerce, reason="缺验收单")


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2026, 2, 28), None),
        (dt.date(2026, 3, 30), None),  # March not complete: its figure does not count yet
        (dt.date(2026, 3, 31), D("5000")),
        (dt.date(2026, 4, 15), D("5000")),
        (dt.date(2026, 4, 30), D("8000")),
        (dt.date(2026, 6, 30), D("8000")),  # pending May and returned June never count
    ],
)
def test_a_figure_counts_when_its_month_is_complete_and_it_is_verified(
    three_months, unit_a, reported_indicator, as_of, expected
):
    totals = rollup_period_totals(as_of)
    assert totals.get((unit_a.pk, reported_indicator.code)) == expected


def test_the_report_has_a_row_per_unit_and_reported_indicator(
    three_months, unit_a, reported_indicator
):
    quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, reported_indicator.pk): D("20000")},
        district_values={reported_indicator.pk: D("40000")},
    )
    report = build_report(year_get_or_create(YEAR), dt.date(2026, 5, 31))
    row = next(r for r in report.units if r.unit == unit_a)
    cell = row.cells[reported_indicator.code]
    assert cell.actual == D("8000")
    assert cell.shown_rate == D("40.00")
    assert report.district[reported_indicator.code].actual == D("8000")


def test_progress_report_prints_the_reported_indicator(three_months, unit_a, reported_indicator):
    quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, reported_indicator.pk): D("20000")},
        district_values={reported_indicator.pk: D("40000")},
    )
    out = io.StringIO()
    call_command("progress_report", year=YEAR, as_of="2026-05-31", stdout=out, stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    mine = [r for r in rows if r[2] == "std_factory"]
    unit_row = next(r for r in mine if r[0] == unit_a.code)
    assert unit_row[3:6] == ["20000.00", "8000.00", "40.00"]
    district = next(r for r in mine if r[0] == "全区")
    assert district[3:6] == ["40000.00", "8000.00", "20.00"]


def test_rebuild_recounts_the_reported_figures(three_months, unit_a, reported_indicator):
    before = _cells(unit_a, reported_indicator)
    assert before
    Rollup.objects.all().delete()
    rebuild()
    assert _cells(unit_a, reported_indicator) == before
    rebuild(year=YEAR)
    assert _cells(unit_a, reported_indicator) == before


# --- pages ------------------------------------------------------------------------------------


def _upload(name="scan.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_clerk_reports_through_the_form(client_as, unit_a, reported_indicator):
    response = client_as("clerk").post(
        reverse("targets:reported_create"),
        {
            "year": YEAR,
            "month": 4,
            "indicator": reported_indicator.pk,
            "amount": "1500",
            "evidence": _upload("验收单.pdf"),
        },
    )
    figure = ReportedFigure.objects.get()
    assert response.status_code == 302
    assert figure.unit == unit_a
    assert figure.evidence_name == "验收单.pdf"


def test_the_form_asks_for_evidence_and_a_finished_month(client_as, unit_a, reported_indicator):
    ahead = timezone.localdate() + dt.timedelta(days=32)
    response = client_as("clerk").post(
        reverse("targets:reported_create"),
        {
            "year": ahead.year,
            "month": ahead.month,
            "indicator": reported_indicator.pk,
            "amount": "1",
        },
    )
    assert response.status_code == 200
    assert "请上传佐证材料" in response.content.decode()
    assert not ReportedFigure.objects.exists()
    response = client_as("clerk").post(
        reverse("targets:reported_create"),
        {
            "year": ahead.year,
            "month": ahead.month,
            "indicator": reported_indicator.pk,
            "amount": "1",
            "evidence": _upload(),
        },
    )
    assert "还没有结束" in response.content.decode()
    assert not ReportedFigure.objects.exists()


def test_the_commerce_bureau_reports_for_a_unit_it_picks(client_as, unit_b, reported_indicator):
    response = client_as("commerce").post(
        reverse("targets:reported_create"),
        {
            "unit": unit_b.pk,
            "year": YEAR,
            "month": 4,
            "indicator": reported_indicator.pk,
            "amount": "1",
            "evidence": _upload(),
        },
    )
    assert response.status_code == 302
    assert ReportedFigure.objects.get().unit == unit_b


def test_the_bureau_verifies_from_the_queue(client_as, reported_a, unit_a, reported_indicator):
    client = client_as("commerce")
    page = client.get(reverse("targets:reported_verification")).content.decode()
    assert reverse("targets:reported_detail", args=[reported_a.pk]) in page
    client.post(reverse("targets:reported_verify", args=[reported_a.pk]))
    assert ReportedFigure.objects.get().status == ReportedStatus.VERIFIED
    assert _cells(unit_a, reported_indicator)[(3, 0)] == D("5000")
    page = client.get(reverse("targets:reported_verification")).content.decode()
    assert reverse("targets:reported_detail", args=[reported_a.pk]) not in page


def test_the_bureau_returns_with_a_reason_from_the_detail_page(client_as, reported_a):
    client = client_as("commerce")
    client.post(
        reverse("targets:reported_return", args=[reported_a.pk]), {"return-reason": "看不清"}
    )
    figure = ReportedFigure.objects.get()
    assert figure.status == ReportedStatus.RETURNED and figure.return_reason == "看不清"
    page = client_as("clerk").get(figure.get_absolute_url()).content.decode()
    assert "看不清" in page and "修改并重新提交" in page


def test_the_clerk_is_sent_back_from_editing_a_verified_figure(client_as, verified_reported_a):
    response = client_as("clerk").get(
        reverse("targets:reported_update", args=[verified_reported_a.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == verified_reported_a.get_absolute_url()


def test_the_evidence_downloads_under_its_own_name(client_as, reported_a):
    response = client_as("clerk").get(reverse("targets:reported_evidence", args=[reported_a.pk]))
    assert response.status_code == 200
    assert "acceptance.pdf" in response["Content-Disposition"]
    assert (
        client_as("other_clerk")
        .get(reverse("targets:reported_evidence", args=[reported_a.pk]))
        .status_code
        == 404
    )


def test_the_lists_are_scoped_to_the_clerks_unit(client_as, reported_a, unit_b, commerce):
    other = _report(commerce, unit_b, reported_a.indicator, 5, "77")
    mine = client_as("clerk").get(reverse("targets:reported_list")).content.decode()
    assert reported_a.get_absolute_url() in mine and other.get_absolute_url() not in mine
    assert (
        client_as("clerk").get(reverse("targets:reported_unit_list", args=[unit_b.pk])).status_code
        == 404
    )
    page = client_as("leadership").get(reverse("targets:reported_unit_list", args=[unit_b.pk]))
    assert other.get_absolute_url() in page.content.decode()
    assert reported_a.get_absolute_url() not in page.content.decode()


def test_the_detail_page_shows_the_history(client_as, verified_reported_a):
    response = client_as("clerk").get(verified_reported_a.get_absolute_url())
    reasons = sorted(entry.reason for entry in response.context["history"])
    assert reasons == ["报送", "核实"]
    assert "acceptance.pdf" in response.content.decode()  # the evidence, by its own name


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _figures(n: int, indicator, month: int) -> None:
    for _ in range(n):
        ReportedFigure.objects.create(
            year=YEAR, month=month, unit=UnitFactory(), indicator=indicator, amount=D(1)
        )


def test_the_queue_query_count_does_not_grow_with_rows(client_as, reported_indicator):
    client = client_as("commerce")
    _figures(2, reported_indicator, 1)
    few = _queries(client, reverse("targets:reported_verification"))
    _figures(20, reported_indicator, 2)
    assert _queries(client, reverse("targets:reported_verification")) == few
    page = client.get(reverse("targets:reported_verification")).content.decode()
    assert "共 22 条" in page


@pytest.mark.parametrize("role", ["commerce", "clerk"])
def test_the_list_query_count_does_not_grow_with_rows(client_as, unit_a, reported_indicator, role):
    client = client_as(role)
    _figures(2, reported_indicator, 1)
    few = _queries(client, reverse("targets:reported_list"))
    _figures(20, reported_indicator, 2)
    for month in (1, 2, 3):
        ReportedFigure.objects.create(
            year=YEAR, month=month, unit=unit_a, indicator=reported_indicator, amount=D(1)
        )
    assert _queries(client, reverse("targets:reported_list")) == few


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_reports_give_the_seeds_68_percent_at_1_to_5(db):
    from django.core.management import call_command

    call_command("load_roster")
    call_command("create_demo_accounts", password="pw-demo-1")
    call_command("load_demo_data", year=2025, stdout=io.StringIO())
    report = build_report(year_get_or_create(2025), dt.date(2025, 5, 31))
    district = report.district["std_factory"]
    assert (district.quota, district.actual, district.shown_rate) == (
        D("40000"),
        D("27200"),
        D("68.00"),
    )
    statuses = set(ReportedFigure.objects.values_list("status", flat=True))
    assert statuses == {"verified", "pending", "returned"}
    assert ReportedFigure.objects.get(status="returned").return_reason
    assert all(f.evidence for f in ReportedFigure.objects.all())
    # the rollup agrees with the records after a rebuild
    cells = sorted(
        Rollup.objects.filter(indicator=district_indicator()).values_list(
            "unit_id", "month", "day", "amount"
        )
    )
    rebuild()
    assert (
        sorted(
            Rollup.objects.filter(indicator=district_indicator()).values_list(
                "unit_id", "month", "day", "amount"
            )
        )
        == cells
    )


def district_indicator():
    return Indicator.objects.get(code="std_factory")
