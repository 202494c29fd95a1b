"""Issue 12: money a district can sign. A payment is exactly the year's amount and only from a
unit that owes one; a wrong payment is voided with a reason (kept, with a reversal in the
ledger) and recorded again; the year's amount is fixed once a payment exists; receipts."""

import datetime as dt
import html
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse

from deposits import services
from deposits.models import Deposit, EntryKind, LedgerEntry
from targets.forms import QuotaGridForm
from targets.models import AssessmentYear, Indicator
from targets.services import quotas_save, year_get_or_create
from tests.factories import UnitFactory
from tests.workbook.builder import build
from workbook.importer import import_workbook

YEAR = 2025


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def field_errors(response) -> list[str]:
    return [
        html.unescape(e)
        for e in re.findall(r'invalid-feedback d-block">([^<]*)<', response.content.decode())
    ]


def ledger_total(**filters) -> D:
    return LedgerEntry.objects.filter(**filters).aggregate(s=Sum("amount"))["s"] or D(0)


@pytest.fixture
def ind(db):
    return {i.code: i for i in Indicator.objects.all()}


@pytest.fixture
def owing(unit_a, unit_b, ind):
    """A carries a positive quota; B carries only a quota of zero (no task, owes nothing)."""
    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("100"),
            (unit_b.pk, ind["fdi_actual"].pk): D("0"),
        },
        district_values={},
    )
    return year_get_or_create(YEAR)


def record(unit, user, amount="3000.00", receipt_no="CZ-1", paid_on=dt.date(YEAR, 4, 1)):
    return services.deposit_record(
        year=YEAR,
        unit=unit,
        amount=D(amount),
        paid_on=paid_on,
        receipt_no=receipt_no,
        user=user,
    )


# --- the amount ------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["300", "30000", "2999.99", "3000.01"])
def test_a_payment_other_than_the_years_amount_is_refused(owing, unit_a, finance, amount):
    with pytest.raises(ValidationError) as caught:
        record(unit_a, finance, amount=amount)
    assert caught.value.message_dict["amount"] == [
        f"2025 年的风险抵押金是 3000.00 元，缴纳金额 {amount} 元不符；"
        "请核对票据后按 3000.00 元登记。"
    ]
    assert Deposit.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_the_form_refuses_300_yuan_and_saves_nothing(client_as, owing, unit_a):
    response = client_as("finance").post(
        reverse("deposits:pay", args=[YEAR]),
        {"unit": unit_a.pk, "amount": "300", "paid_on": "2025-04-01", "receipt_no": "X"},
    )
    assert response.status_code == 200
    assert any("缴纳金额 300 元不符" in e for e in field_errors(response))
    assert Deposit.objects.count() == 0


def test_the_exact_amount_follows_the_years_setting(owing, unit_a, finance):
    services.deposit_amount_set(year=YEAR, amount=D("5000"), user=finance, reason="新办法")
    with pytest.raises(ValidationError):
        record(unit_a, finance, amount="3000")
    assert record(unit_a, finance, amount="5000").amount == D("5000")


# --- who owes --------------------------------------------------------------------------


def test_a_unit_with_only_a_zero_quota_owes_nothing_and_is_refused(owing, unit_b, finance):
    assert list(services.owing_units(owing)) != []
    assert unit_b not in services.owing_units(owing)
    with pytest.raises(ValidationError) as caught:
        record(unit_b, finance)
    assert caught.value.message_dict["unit"] == ["乙镇 2025 年没有任务，不需要缴纳抵押金。"]
    assert Deposit.objects.count() == 0


def test_the_board_lists_only_units_with_a_positive_quota(client_as, owing):
    page = text_of(client_as("finance").get(reverse("deposits:board", args=[YEAR])))
    assert "甲镇" in page
    assert "乙镇" not in page


# --- void and record again -------------------------------------------------------------


def test_void_keeps_the_record_writes_a_reversal_and_allows_recording_again(owing, unit_a, finance):
    wrong = record(unit_a, finance, receipt_no="CZ-WRONG", paid_on=dt.date(YEAR, 4, 2))
    voided = services.deposit_void(deposit=wrong, user=finance, reason="票据号录错")
    assert voided.voided_at is not None
    assert voided.voided_by == finance
    assert voided.void_reason == "票据号录错"
    # the original row is kept unchanged, beside its history
    kept = Deposit.objects.get(pk=wrong.pk)
    assert (kept.amount, kept.receipt_no) == (D("3000.00"), "CZ-WRONG")
    assert [h.history_change_reason for h in kept.history.order_by("history_id")][-1] == (
        "作废：票据号录错"
    )
    entries = list(LedgerEntry.objects.filter(deposit=wrong).order_by("id"))
    assert [(e.kind, e.amount) for e in entries] == [
        (EntryKind.DEPOSIT_IN, D("3000.00")),
        (EntryKind.DEPOSIT_IN, D("-3000.00")),
    ]
    assert "票据号录错" in entries[1].memo
    assert ledger_total() == 0

    right = record(unit_a, finance, receipt_no="CZ-RIGHT")
    assert list(Deposit.objects.live()) == [right]
    assert Deposit.objects.count() == 2
    assert ledger_total() == D("3000.00")


def test_a_void_needs_a_reason_and_happens_once(owing, unit_a, finance):
    deposit = record(unit_a, finance)
    with pytest.raises(ValidationError) as caught:
        services.deposit_void(deposit=deposit, user=finance, reason="  ")
    assert caught.value.message_dict["reason"] == ["作废缴纳记录必须写明原因。"]
    services.deposit_void(deposit=deposit, user=finance, reason="金额错")
    with pytest.raises(ValidationError) as caught:
        services.deposit_void(deposit=deposit, user=finance, reason="再来一次")
    assert "不能再次作废" in caught.value.messages[0]
    assert LedgerEntry.objects.count() == 2


def test_the_database_keeps_one_live_payment_and_a_reason_on_every_void(owing, unit_a, finance):
    deposit = record(unit_a, finance)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deposit.objects.create(
            year=owing, unit=unit_a, amount=D("3000"), paid_on=dt.date(YEAR, 4, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Deposit.objects.filter(pk=deposit.pk).update(
            voided_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
        )


def test_finance_voids_through_the_page_and_the_board_keeps_it(client_as, owing, unit_a, finance):
    deposit = record(unit_a, finance)
    client = client_as("finance")
    url = reverse("deposits:void", args=[deposit.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200
    assert Deposit.objects.live().count() == 1
    response = client.post(url, {"reason": "缴纳日期录错"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("deposits:board", args=[YEAR])
    page = text_of(response)
    assert "已作废" in page
    assert "已作废的缴纳记录" in page
    assert "缴纳日期录错" in page
    assert Deposit.objects.live().count() == 0
    # and the unit is offered again
    form = text_of(client.get(reverse("deposits:pay", args=[YEAR])))
    assert f'value="{unit_a.pk}"' in form


@pytest.mark.parametrize("role", ["clerk", "commerce", "leadership"])
def test_only_finance_may_void(client_as, owing, unit_a, finance, role):
    deposit = record(unit_a, finance)
    response = client_as(role).post(reverse("deposits:void", args=[deposit.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert Deposit.objects.live().count() == 1


# --- the receipt -----------------------------------------------------------------------


def test_a_printable_receipt_per_payment(client_as, owing, unit_a, finance):
    deposit = record(unit_a, finance, receipt_no="CZ-777")
    page = client_as("finance").get(reverse("deposits:receipt", args=[deposit.pk]))
    assert page.status_code == 200
    text = text_of(page)
    assert f"YJ2025-{deposit.pk:06d}" in text
    assert "CZ-777" in text and "3,000.00" in text and "甲镇" in text
    assert "window.print()" in text
    # the unit's own clerk sees it; another unit's clerk does not
    assert client_as("clerk").get(page.wsgi_request.path).status_code == 200
    assert client_as("other_clerk").get(page.wsgi_request.path).status_code == 404


def test_a_voided_receipt_says_so(client_as, owing, unit_a, finance):
    deposit = record(unit_a, finance)
    services.deposit_void(deposit=deposit, user=finance, reason="重复登记")
    text = text_of(client_as("finance").get(reverse("deposits:receipt", args=[deposit.pk])))
    assert "本收据已作废" in text and "重复登记" in text
    assert "−3,000.00" in text  # pages write the minus sign as “−”


# --- the year's amount -----------------------------------------------------------------


def test_the_amount_cannot_change_once_a_payment_is_recorded(owing, unit_a, finance):
    deposit = record(unit_a, finance)
    with pytest.raises(ValidationError) as caught:
        services.deposit_amount_set(year=YEAR, amount=D("4000"), user=finance)
    assert "金额（3000.00 元）不能再改" in caught.value.messages[0]
    assert AssessmentYear.objects.get(year=YEAR).deposit_amount == D("3000.00")
    # the same amount is no change
    assert services.deposit_amount_set(year=YEAR, amount=D("3000"), user=finance) is False
    # once every payment is voided, it may change again
    services.deposit_void(deposit=deposit, user=finance, reason="误收")
    assert services.deposit_amount_set(year=YEAR, amount=D("4000"), user=finance) is True


def test_the_amount_page_refuses_with_the_reason(client_as, owing, unit_a, finance):
    record(unit_a, finance)
    response = client_as("finance").post(
        reverse("deposits:amount", args=[YEAR]), {"deposit_amount": "4000", "reason": "x"}
    )
    assert response.status_code == 200
    assert any("不能再改" in e for e in field_errors(response))
    assert AssessmentYear.objects.get(year=YEAR).deposit_amount == D("3000.00")


# --- the settled year ------------------------------------------------------------------


@pytest.fixture
def settled(owing, unit_a, finance):
    deposit = record(unit_a, finance)
    services.settle_year(year=YEAR, user=finance)
    return deposit


def test_a_settled_year_refuses_voids_payments_and_amount_changes(settled, unit_a, finance, ind):
    other = UnitFactory(code="Z01", name="庚镇")
    with pytest.raises(ValidationError) as caught:
        services.deposit_void(deposit=settled, user=finance, reason="x")
    assert caught.value.messages == [services.settled_message(YEAR)]
    with pytest.raises(ValidationError):
        services.deposit_amount_set(year=YEAR, amount=D("1"), user=finance)
    # a quota change is refused by targets' own check of the flag
    with pytest.raises(ValidationError) as caught:
        quotas_save(
            year=YEAR,
            unit_values={(other.pk, ind["fdi_actual"].pk): D("5")},
            district_values={},
        )
    assert "任务数已锁定" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        quotas_save(year=YEAR, unit_values={}, district_values={ind["fdi_actual"].pk: D("9")})
    # an unchanged grid still saves (changing nothing)
    counts = quotas_save(
        year=YEAR, unit_values={(unit_a.pk, ind["fdi_actual"].pk): D("100")}, district_values={}
    )
    assert counts.unchanged == 1
    assert Deposit.objects.get(pk=settled.pk).voided_at is None


def test_reversal_lifts_the_lock_and_settling_again_sets_it(settled, unit_a, finance, ind):
    assert AssessmentYear.objects.get(year=YEAR).settled is True
    services.settlement_reverse(year=YEAR, user=finance, reason="任务数录错")
    assert AssessmentYear.objects.get(year=YEAR).settled is False
    quotas_save(
        year=YEAR, unit_values={(unit_a.pk, ind["fdi_actual"].pk): D("90")}, district_values={}
    )
    services.settle_year(year=YEAR, user=finance)
    assert AssessmentYear.objects.get(year=YEAR).settled is True


def test_the_quota_grid_page_names_the_lock(client_as, settled, unit_a, ind):
    name = QuotaGridForm.quota_name(unit_a.pk, ind["fdi_actual"].pk)
    response = client_as("commerce").post(
        reverse("targets:quotas", args=[YEAR]), {name: "1"}, follow=True
    )
    assert "任务数已锁定" in text_of(response)


# --- the workbook holds the same rules -------------------------------------------------


def test_an_import_refuses_a_wrong_amount_and_a_unit_that_owes_none(owing, tmp_path):
    path = build(
        tmp_path / "抵押金.xlsx",
        {
            "抵押金": [
                [YEAR, "A01", 300, "2025-04-01", "R1"],
                [YEAR, "B01", 3000, "2025-04-01", "R2"],
            ]
        },
    )
    result = import_workbook(path)
    messages = [str(p) for p in result.errors]
    assert messages == [
        "抵押金!C2: 2025 年的风险抵押金是 3000.00 元，缴纳金额 300.00 元不符；"
        "请核对票据后按 3000.00 元登记。",
        "抵押金!B3: 乙镇 2025 年没有任务，不需要缴纳抵押金。",
    ]
    assert Deposit.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_the_receipt_links_from_the_board_even_without_a_receipt_number(
    client_as, owing, unit_a, finance
):
    deposit = record(unit_a, finance, receipt_no="")
    page = client_as("finance").get(reverse("deposits:board", args=[YEAR])).content.decode()
    assert reverse("deposits:receipt", args=[deposit.pk]) in page
