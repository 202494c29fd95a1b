"""Risk deposits (风险抵押金): payments, responsibility letters, the board, the overdue list,
and every refusal of bad input, through the finance office's pages and the services."""

import datetime as dt
import html
import io
import re
from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from deposits import services
from deposits.models import Deposit, EntryKind, LedgerEntry, ResponsibilityLetter, Settlement
from targets.models import Indicator
from targets.services import quotas_save, year_get_or_create
from tests.conftest import PDF_BYTES
from tests.factories import UnitFactory

YEAR = 2025  # a past year: its due date (15 April) has passed
FUTURE_YEAR = timezone.localdate().year + 1  # its due date has not come yet
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READERS = ("clerk", "other_clerk", "commerce", "leadership")


# --- helpers ---------------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Deposit, LedgerEntry, Settlement, ResponsibilityLetter)
    }


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def field_errors(response) -> list[str]:
    return [
        html.unescape(e)
        for e in re.findall(r'invalid-feedback d-block">([^<]*)<', response.content.decode())
    ]


def alerts(response) -> str:
    return html.unescape(
        " ".join(re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S))
    )


def strip_tags(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def table_rows(response) -> list[list[str]]:
    """The body rows of the first table on the page, as lists of cell texts."""
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", response.content.decode(), re.S)
    assert body is not None, "no table on the page"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        cells = [strip_tags(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        if cells:
            rows.append(cells)
    return rows


def rows_by_code(response) -> dict[str, list[str]]:
    return {row[0]: row for row in table_rows(response)}


def pay_url(year: int = YEAR) -> str:
    return reverse("deposits:pay", args=[year])


def payment(unit, paid_on="2025-04-10", amount="3000.00", receipt_no="CZ-001") -> dict:
    return {"unit": unit.pk, "amount": amount, "paid_on": paid_on, "receipt_no": receipt_no}


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def pdf(name="zerenzhuang.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture
def ind(db):
    return {i.code: i for i in Indicator.objects.all()}


@pytest.fixture
def unit_c(db):
    return UnitFactory(code="C01", name="丙镇")


@pytest.fixture
def unit_e(db):
    """A unit without any quota: it owes nothing."""
    return UnitFactory(code="E01", name="戊镇")


@pytest.fixture
def owing(unit_a, unit_b, unit_c, unit_e, ind):
    """Units A, B and C carry a quota in YEAR and owe a deposit; E carries none."""
    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("100"),
            (unit_b.pk, ind["fdi_actual"].pk): D("200"),
            (unit_c.pk, ind["domestic_projects"].pk): D("2"),
        },
        district_values={},
    )
    return year_get_or_create(YEAR)


@pytest.fixture
def paid(owing, unit_a, unit_b, finance):
    """A paid on time, B paid after 15 April, C never paid."""
    on_time = services.deposit_record(
        year=YEAR,
        unit=unit_a,
        amount=D("3000.00"),
        paid_on=dt.date(YEAR, 4, 10),
        receipt_no="CZ-A",
        user=finance,
    )
    late = services.deposit_record(
        year=YEAR,
        unit=unit_b,
        amount=D("3000.00"),
        paid_on=dt.date(YEAR, 5, 1),
        receipt_no="CZ-B",
        user=finance,
    )
    return on_time, late


# --- payments through the pages --------------------------------------------------------


def test_finance_records_a_payment_on_time(client_as, owing, unit_a, finance):
    client = client_as("finance")
    page = client.get(pay_url())
    assert page.status_code == 200
    assert "登记 2025 年风险抵押金缴纳" in text_of(page)
    assert 'value="3000.00"' in page.content.decode()  # the year's amount is suggested

    response = client.post(pay_url(), payment(unit_a, receipt_no="  CZ-001 "), follow=True)

    assert response.redirect_chain[-1][0] == reverse("deposits:board", args=[YEAR])
    deposit = Deposit.objects.get()
    assert (deposit.unit, deposit.amount, deposit.paid_on) == (
        unit_a,
        D("3000.00"),
        dt.date(2025, 4, 10),
    )
    assert deposit.receipt_no == "CZ-001"
    assert deposit.recorded_by == finance
    assert "已登记 甲镇 缴纳 3000.00 元（已缴）。" in alerts(response)
    # the money enters the ledger when it is paid
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.deposit, entry.unit) == (
        EntryKind.DEPOSIT_IN,
        D("3000.00"),
        deposit,
        unit_a,
    )
    assert entry.settlement is None
    assert entry.created_by == finance
    assert "CZ-001" in entry.memo
    assert deposit.history.count() == 1


def test_a_payment_after_15_april_is_recorded_as_late(client_as, owing, unit_b):
    response = client_as("finance").post(
        pay_url(), payment(unit_b, paid_on="2025-04-16"), follow=True
    )
    assert "（逾期缴纳）" in alerts(response)
    assert Deposit.objects.get().paid_on == dt.date(2025, 4, 16)


def test_the_form_offers_only_owing_units_that_have_not_paid(client_as, paid, unit_c, unit_e):
    content = client_as("finance").get(pay_url()).content.decode()
    options = dict(
        (value, html.unescape(label))
        for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)<', content)
    )
    assert set(options.values()) == {str(unit_c)}
    assert str(unit_e.pk) not in options


# --- bad input: each refused with a clear message, nothing written ---------------------


def test_a_unit_without_quota_cannot_pay_through_the_form(client_as, owing, unit_e):
    before = counts()
    response = client_as("finance").post(pay_url(), payment(unit_e))
    assert response.status_code == 200
    assert "该单位 2025 年没有任务，不需要缴纳抵押金。" in field_errors(response)
    assert counts() == before


def test_a_unit_without_quota_cannot_pay_through_the_service(owing, unit_e, finance):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.deposit_record(
            year=YEAR, unit=unit_e, amount=D("3000"), paid_on=dt.date(YEAR, 4, 1), user=finance
        )
    assert caught.value.message_dict["unit"] == ["戊镇 2025 年没有任务，不需要缴纳抵押金。"]
    assert counts() == before


def test_a_unit_without_quota_in_any_year_owes_nothing(unit_a, finance):
    """Not even the year's settings exist yet: still refused, nothing written."""
    before = counts()
    with pytest.raises(ValidationError, match="没有任务"):
        services.deposit_record(
            year=YEAR, unit=unit_a, amount=D("3000"), paid_on=dt.date(YEAR, 4, 1), user=finance
        )
    assert counts() == before


def test_a_second_payment_through_the_form_is_refused(client_as, paid, unit_a):
    before = counts()
    response = client_as("finance").post(pay_url(), payment(unit_a, paid_on="2025-06-01"))
    assert response.status_code == 200
    assert "该单位本年度的抵押金已经登记过，不能重复缴纳。" in field_errors(response)
    assert counts() == before
    assert Deposit.objects.get(unit=unit_a).paid_on == dt.date(2025, 4, 10)


def test_a_second_payment_through_the_service_is_refused(paid, unit_a, finance):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.deposit_record(
            year=YEAR, unit=unit_a, amount=D("3000"), paid_on=dt.date(YEAR, 6, 1), user=finance
        )
    assert "该单位本年度的抵押金已经登记过，不能重复缴纳。" in caught.value.messages
    assert counts() == before


def test_the_database_refuses_a_second_payment_bypassing_validation(paid, unit_a):
    year = year_get_or_create(YEAR)
    before = counts()
    with pytest.raises(IntegrityError), transaction.atomic():
        Deposit.objects.create(
            year=year, unit=unit_a, amount=D("3000"), paid_on=dt.date(YEAR, 6, 1)
        )
    assert counts() == before


@pytest.mark.parametrize("amount", ["-3000", "0", "-0.01"])
def test_an_amount_that_is_not_positive_is_refused_by_the_form(client_as, owing, unit_a, amount):
    before = counts()
    response = client_as("finance").post(pay_url(), payment(unit_a, amount=amount))
    assert response.status_code == 200
    assert "金额必须大于 0。" in field_errors(response)
    assert counts() == before


@pytest.mark.parametrize("amount", [D("-3000"), D("0")])
def test_an_amount_that_is_not_positive_is_refused_by_the_service(owing, unit_a, finance, amount):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.deposit_record(
            year=YEAR, unit=unit_a, amount=amount, paid_on=dt.date(YEAR, 4, 1), user=finance
        )
    assert caught.value.message_dict["amount"] == ["金额必须大于 0。"]
    assert counts() == before


def test_the_database_refuses_a_negative_deposit(owing, unit_a):
    before = counts()
    with pytest.raises(IntegrityError), transaction.atomic():
        Deposit.objects.create(
            year=owing, unit=unit_a, amount=D("-3000"), paid_on=dt.date(YEAR, 4, 1)
        )
    assert counts() == before


def test_a_receipt_date_in_the_future_is_refused_by_the_form(client_as, owing, unit_a):
    before = counts()
    day = tomorrow()
    response = client_as("finance").post(pay_url(), payment(unit_a, paid_on=day.isoformat()))
    assert response.status_code == 200
    assert f"日期 {day.isoformat()} 晚于今天。" in field_errors(response)
    assert counts() == before


def test_a_receipt_date_in_the_future_is_refused_by_the_service(owing, unit_a, finance):
    before = counts()
    day = tomorrow()
    with pytest.raises(ValidationError) as caught:
        services.deposit_record(year=YEAR, unit=unit_a, amount=D("3000"), paid_on=day, user=finance)
    assert caught.value.message_dict["paid_on"] == [f"日期 {day.isoformat()} 晚于今天。"]
    assert counts() == before


def test_an_empty_payment_form_writes_nothing(client_as, owing):
    before = counts()
    response = client_as("finance").post(
        pay_url(), {"unit": "", "amount": "", "paid_on": "", "receipt_no": ""}
    )
    assert response.status_code == 200
    assert len(field_errors(response)) == 3  # unit, amount, date are required
    assert counts() == before


def test_a_year_outside_the_range_is_not_found(client_as, owing):
    assert client_as("finance").get(pay_url(1999)).status_code == 404
    assert client_as("finance").get(reverse("deposits:board", args=[2101])).status_code == 404


# --- only the finance office writes ----------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_no_other_role_may_pay_sign_settle_or_reverse(client_as, paid, unit_c, finance, role):
    client = client_as(role)
    before = counts()
    assert client.get(pay_url()).status_code == 403
    assert client.get(reverse("deposits:letter", args=[YEAR])).status_code == 403
    assert client.post(pay_url(), payment(unit_c)).status_code == 403
    response = client.post(
        reverse("deposits:letter", args=[YEAR]),
        {"unit": unit_c.pk, "signed_on": "2025-03-01", "scan": pdf()},
    )
    assert response.status_code == 403
    assert client.post(reverse("deposits:settlement_confirm", args=[YEAR])).status_code == 403
    assert counts() == before
    assert not Settlement.objects.exists()

    # with a recorded settlement, reversing it is refused as well
    services.settle_year(year=YEAR, user=finance)
    settled = counts()
    response = client.post(
        reverse("deposits:settlement_reverse", args=[YEAR]), {"reason": "数据有误"}
    )
    assert response.status_code == 403
    assert counts() == settled
    assert Settlement.objects.filter(reversed_at__isnull=True).count() == 3


def test_anonymous_users_are_sent_to_the_login_page(client_as, paid, unit_c):
    client = client_as("anonymous")
    before = counts()
    for name in ("pay", "letter", "settlement_confirm", "settlement_reverse"):
        response = client.post(reverse(f"deposits:{name}", args=[YEAR]), payment(unit_c))
        assert response.status_code == 302
        assert "login" in response["Location"]
    assert counts() == before


# --- the board -------------------------------------------------------------------------


def test_the_board_shows_every_status_and_the_totals(client_as, paid, unit_e):
    response = client_as("finance").get(reverse("deposits:board", args=[YEAR]))
    assert response.status_code == 200
    rows = rows_by_code(response)
    assert set(rows) == {"A01", "B01", "C01"}  # E01 owes nothing and is not listed
    assert rows["A01"][1:4] == ["甲镇", "乡镇", "已缴"]
    assert rows["B01"][3] == "逾期缴纳"
    assert rows["C01"][3] == "逾期未缴"
    assert rows["A01"][5] == "2025-04-10"
    assert rows["A01"][6] == "CZ-A"
    assert rows["B01"][5] == "2025-05-01"
    assert rows["C01"][4] == "—"
    text = text_of(response)
    assert (
        "应缴单位 3 个：已缴 2 个（其中逾期缴纳 1 个），未缴 1 个（其中逾期未缴 1 个）。"
        "已收 6,000.00 元，应收 9,000.00 元。"
    ) in text
    assert "每个有任务的单位应于 2025-04-15 前缴纳 3,000.00 元。" in text
    # finance gets the buttons to write
    assert pay_url() in text
    assert reverse("deposits:letter", args=[YEAR]) in text


@pytest.mark.parametrize(
    ("status", "codes", "summary"),
    [
        ("paid", {"A01"}, "应缴单位 1 个：已缴 1 个（其中逾期缴纳 0 个）"),
        ("paid_late", {"B01"}, "应缴单位 1 个：已缴 1 个（其中逾期缴纳 1 个）"),
        ("overdue", {"C01"}, "未缴 1 个（其中逾期未缴 1 个）。已收 0.00 元，应收 3,000.00 元"),
        ("unpaid", set(), "应缴单位 0 个"),
        ("", {"A01", "B01", "C01"}, "应缴单位 3 个"),
        ("nonsense", {"A01", "B01", "C01"}, "应缴单位 3 个"),
    ],
)
def test_the_board_filters_by_status(client_as, paid, status, codes, summary):
    response = client_as("commerce").get(reverse("deposits:board", args=[YEAR]), {"status": status})
    assert response.status_code == 200
    found = {row[0] for row in table_rows(response) if re.fullmatch(r"[A-Z]\d\d", row[0])}
    assert found == codes
    assert summary in text_of(response)


def test_before_the_due_date_an_unpaid_unit_is_just_unpaid(client_as, unit_a, unit_b, ind):
    quotas_save(
        year=FUTURE_YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("100"),
            (unit_b.pk, ind["fdi_actual"].pk): D("100"),
        },
        district_values={},
    )
    response = client_as("finance").get(reverse("deposits:board", args=[FUTURE_YEAR]))
    rows = rows_by_code(response)
    assert rows["A01"][3] == "未缴"
    assert rows["B01"][3] == "未缴"
    assert "逾期未缴" not in {row[3] for row in rows.values()}
    overdue = client_as("finance").get(reverse("deposits:overdue", args=[FUTURE_YEAR]))
    assert "还没到缴纳截止日，暂无逾期。" in text_of(overdue)
    assert "没有逾期未缴的单位。" in text_of(overdue)


def test_the_board_exports_to_excel_with_chinese_headers(client_as, paid):
    response = client_as("finance").get(reverse("deposits:board", args=[YEAR]), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    # A Chinese name (RFC 5987) with the old ASCII name as the fallback.
    assert response["Content-Disposition"] == (
        'attachment; filename="deposits-2025.xlsx"; '
        f"filename*=utf-8''{quote('2025年风险抵押金.xlsx')}"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    headers = values[0]
    for header in (
        "单位编码",
        "单位名称",
        "单位类型",
        "缴纳状态",
        "金额（元）",
        "缴纳日期",
        "票据号",
    ):
        assert header in headers
    body = {row[headers.index("单位编码")]: row for row in values[1:]}
    assert set(body) == {"A01", "B01", "C01"}
    status = headers.index("缴纳状态")
    assert body["A01"][status] == "已缴"
    assert body["B01"][status] == "逾期缴纳"
    assert body["C01"][status] == "逾期未缴"
    assert D(str(body["A01"][headers.index("金额（元）")])) == D("3000")
    assert body["A01"][headers.index("单位名称")] == "甲镇"


def test_the_export_follows_the_status_filter(client_as, paid):
    response = client_as("leadership").get(
        reverse("deposits:board", args=[YEAR]), {"status": "overdue", "export": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in values[1:]] == ["C01"]


def test_a_clerk_sees_only_their_own_unit_on_the_board(client_as, paid):
    client = client_as("clerk")
    response = client.get(reverse("deposits:board", args=[YEAR]))
    assert response.status_code == 200
    assert set(rows_by_code(response)) == {"A01"}
    text = text_of(response)
    assert "乙镇" not in text and "B01" not in text and "丙镇" not in text
    assert "应缴单位 1 个" in text
    assert pay_url() not in text  # no pay button
    export = client.get(reverse("deposits:board", args=[YEAR]), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["A01"]
    # and unit B's clerk sees B only
    other = client_as("other_clerk").get(reverse("deposits:board", args=[YEAR]))
    assert set(rows_by_code(other)) == {"B01"}


@pytest.mark.parametrize("role", ["commerce", "leadership"])
def test_commerce_and_leadership_read_the_board_without_pay_buttons(client_as, paid, role):
    response = client_as(role).get(reverse("deposits:board", args=[YEAR]))
    assert response.status_code == 200
    assert set(rows_by_code(response)) == {"A01", "B01", "C01"}
    text = text_of(response)
    assert "登记缴纳" not in text
    assert pay_url() not in text
    assert reverse("deposits:letter", args=[YEAR]) not in text


def test_the_board_of_the_current_year_is_the_default(client_as, owing):
    response = client_as("finance").get(reverse("deposits:board_current"))
    assert response.status_code == 302
    assert response["Location"] == reverse("deposits:board", args=[timezone.localdate().year])


# --- the overdue list ------------------------------------------------------------------


def test_the_overdue_list_names_unpaid_and_late_units(client_as, paid):
    response = client_as("commerce").get(reverse("deposits:overdue", args=[YEAR]))
    assert response.status_code == 200
    content = response.content.decode()
    text = text_of(response)
    assert "2025 年抵押金逾期名单（截止日 2025-04-15）" in text
    assert "还没到缴纳截止日" not in text
    tables = re.findall(r"<tbody>(.*?)</tbody>", content, re.S)
    assert len(tables) == 2
    unpaid, late = (strip_tags(t) for t in tables)
    assert "C01" in unpaid and "丙镇" in unpaid
    assert "A01" not in unpaid and "B01" not in unpaid
    assert "B01" in late and "乙镇" in late and "2025-05-01" in late and "3,000.00" in late
    assert "A01" not in late and "C01" not in late


def test_the_overdue_list_is_for_district_roles(client_as, paid):
    assert client_as("clerk").get(reverse("deposits:overdue", args=[YEAR])).status_code == 403
    assert client_as("finance").get(reverse("deposits:overdue", args=[YEAR])).status_code == 200


# --- responsibility letters ------------------------------------------------------------


def test_finance_records_a_letter_with_a_scan(client_as, owing, unit_a, finance):
    client = client_as("finance")
    url = reverse("deposits:letter", args=[YEAR])
    page = client.get(url)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        url, {"unit": unit_a.pk, "signed_on": "2025-03-01", "scan": pdf()}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("deposits:board", args=[YEAR])
    assert "已登记责任状。" in alerts(response)
    letter = ResponsibilityLetter.objects.get()
    assert (letter.unit, letter.signed_on) == (unit_a, dt.date(2025, 3, 1))
    assert letter.scan.name.startswith(f"letters/{owing.pk}/")
    with letter.scan.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    assert rows_by_code(response)["A01"][7] == "2025-03-01"
    assert not Deposit.objects.exists()  # a letter is not a payment


def test_the_scan_is_optional(client_as, owing, unit_b):
    response = client_as("finance").post(
        reverse("deposits:letter", args=[YEAR]), {"unit": unit_b.pk, "signed_on": "2025-03-02"}
    )
    assert response.status_code == 302
    letter = ResponsibilityLetter.objects.get()
    assert letter.unit == unit_b
    assert not letter.scan


def test_a_scan_that_is_not_a_pdf_or_image_is_refused(client_as, owing, unit_a):
    before = counts()
    response = client_as("finance").post(
        reverse("deposits:letter", args=[YEAR]),
        {"unit": unit_a.pk, "signed_on": "2025-03-01", "scan": pdf(content=b"not a pdf at all")},
    )
    assert response.status_code == 200
    assert any("扩展名与内容不符" in e for e in field_errors(response))
    assert counts() == before


def test_a_letter_signed_in_the_future_is_refused(client_as, owing, unit_a):
    before = counts()
    day = tomorrow()
    response = client_as("finance").post(
        reverse("deposits:letter", args=[YEAR]),
        {"unit": unit_a.pk, "signed_on": day.isoformat()},
    )
    assert response.status_code == 200
    assert f"日期 {day.isoformat()} 晚于今天。" in field_errors(response)
    assert counts() == before


def test_a_second_letter_for_the_same_unit_is_refused(client_as, owing, unit_a, finance):
    services.letter_record(year=YEAR, unit=unit_a, signed_on=dt.date(2025, 3, 1), user=finance)
    before = counts()
    response = client_as("finance").post(
        reverse("deposits:letter", args=[YEAR]), {"unit": unit_a.pk, "signed_on": "2025-03-05"}
    )
    assert response.status_code == 200
    assert field_errors(response)
    with pytest.raises(ValidationError) as caught:
        services.letter_record(year=YEAR, unit=unit_a, signed_on=dt.date(2025, 3, 5), user=finance)
    assert "该单位本年度的责任状已经登记过。" in caught.value.messages
    assert counts() == before
