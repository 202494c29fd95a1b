"""Year-end settlement of the risk deposits: preview, confirm (page, service and the
``settle_deposits`` command), the ledger, frozen figures, reversal, and settling only once."""

import csv
import datetime as dt
import html
import io
import re
import threading
import time
from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command, load_command_class
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from common.roles import Role
from deposits import services
from deposits.models import (
    Deposit,
    EntryKind,
    LedgerEntry,
    Outcome,
    ResponsibilityLetter,
    Settlement,
)
from projects import services as projects
from targets.models import Indicator
from targets.services import quotas_save, year_get_or_create
from tests.factories import UnitFactory, UserFactory
from units.models import Unit

YEAR = 2025  # a past year: it has ended, so it may be settled
CURRENT = timezone.localdate().year  # has not ended
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = "单位编码,单位名称,结果,缴纳金额,退还金额,奖励金额,没收金额"
EXPECTED_CSV = [
    HEADER,
    "A01,甲镇,退还并奖励,3000.00,3000.00,3000.00,0.00",
    "B01,乙镇,没收,3000.00,0.00,0.00,3000.00",
    "C01,丙镇,未缴纳,0.00,0.00,0.00,0.00",
    "D01,丁镇,退还,3000.00,3000.00,0.00,0.00",
]
SETTLEMENT_KINDS = (EntryKind.REFUND_OUT, EntryKind.BONUS_OUT, EntryKind.FORFEIT)
ON_POSTGRES = connection.vendor == "postgresql"


# --- helpers ---------------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Deposit, LedgerEntry, Settlement, ResponsibilityLetter)
    }


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def alerts(response) -> str:
    return html.unescape(
        " ".join(re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S))
    )


def words(fragment: str) -> list[str]:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()


def page_lines(response) -> dict[str, list[str]]:
    """The settlement table: unit code → [outcome, paid, refund, bonus, forfeit, (drift)]."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    assert body is not None, "no settlement table on the page"
    lines = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        code = re.search(r"<small[^>]*>([^<]*)</small>", cells[0])
        key = code.group(1) if code else " ".join(words(cells[0]))
        lines[key] = [" ".join(words(c)) for c in cells[1:]]
    return lines


def board_rows(response) -> dict[str, list[str]]:
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", response.content.decode(), re.S)
    assert body is not None
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        cells = [" ".join(words(c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            rows[cells[0]] = cells
    return rows


def money(project, day, amount, user, verify=True):
    inflow = projects.inflow_create(
        user=user,
        project=project,
        data={"arrived_on": day, "amount": D(amount), "voucher_no": f"V-{project.code}-{day}"},
    )
    if verify:
        projects.inflow_verify(inflow=inflow, user=user)
    return inflow


def project(user, unit, code, capital_type, origin, signed_on, **extra):
    data = {
        "code": code,
        "name": f"项目{code}",
        "capital_type": capital_type,
        "unit": unit,
        "origin": origin,
        "stage": "signed",
        "signed_on": signed_on,
        **extra,
    }
    return projects.project_create(user=user, data=data)


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("settle_deposits", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_from_argv(monkeypatch, *args) -> None:
    """Run the command as ``manage.py`` does (exit status included). run_from_argv closes
    every connection at the end; the test's connection must stay open, so that is skipped."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    command = load_command_class("deposits", "settle_deposits")
    command.run_from_argv(["manage.py", "settle_deposits", *args])


def ledger_sum(**filters) -> D:
    return LedgerEntry.objects.filter(**filters).aggregate(s=Sum("amount"))["s"] or D(0)


def live(year=YEAR):
    return Settlement.objects.filter(year__year=year, reversed_at__isnull=True)


# --- the scenario ----------------------------------------------------------------------


@pytest.fixture
def ind(db):
    return {i.code: i for i in Indicator.objects.all()}


@pytest.fixture
def units(unit_a, unit_b):
    """A, B, C and D owe a deposit; E carries no quota and never appears in a settlement."""
    unit_c = UnitFactory(code="C01", name="丙镇")
    unit_d = UnitFactory(code="D01", name="丁镇")
    unit_e = UnitFactory(code="E01", name="戊镇")
    for order, unit in enumerate((unit_a, unit_b, unit_c, unit_d, unit_e), start=1):
        Unit.objects.filter(pk=unit.pk).update(display_order=order)
    return {u.code[0]: Unit.objects.get(pk=u.pk) for u in (unit_a, unit_b, unit_c, unit_d, unit_e)}


@pytest.fixture
def scenario(units, ind, commerce, finance):
    """Every outcome in one year:

    A completed every quota by 31 December (exactly 100%) and paid → 退还并奖励;
    B paid (late) and met one quota but missed the other by 0.01 → 没收;
    C would have completed its quota but never paid → 未缴纳;
    D paid but carries no quota in the end → 退还.
    """
    a, b, c, d = units["A"], units["B"], units["C"], units["D"]
    quotas_save(
        year=YEAR,
        unit_values={
            (a.pk, ind["fdi_actual"].pk): D("100"),
            (a.pk, ind["domestic_projects"].pk): D("1"),
            (b.pk, ind["fdi_actual"].pk): D("100"),
            (b.pk, ind["domestic_actual"].pk): D("1000"),
            (c.pk, ind["fdi_actual"].pk): D("50"),
            (d.pk, ind["fdi_actual"].pk): D("10"),
        },
        district_values={},
    )
    foreign = {"contract_amount": D("500"), "approved_on": dt.date(YEAR, 2, 1)}
    # A: 60 + 40 = 100 of 100, the last on 31 December; one project from outside the province
    fa = project(commerce, a, "FA", "foreign", "香港", dt.date(YEAR, 1, 5), **foreign)
    money(fa, dt.date(YEAR, 3, 1), "60", commerce)
    money(fa, dt.date(YEAR, 12, 31), "40", commerce)
    project(commerce, a, "DA", "domestic", "广东省", dt.date(YEAR, 6, 1))
    # B: foreign 150 of 100 met; domestic 999.99 of 1000 missed. Money that arrived after
    # 31 December, or is still waiting for verification, does not count.
    fb = project(commerce, b, "FB", "foreign", "香港", dt.date(YEAR, 1, 5), **foreign)
    money(fb, dt.date(YEAR, 5, 1), "150", commerce)
    db_ = project(commerce, b, "DB", "domestic", "广东省", dt.date(YEAR, 2, 1))
    money(db_, dt.date(YEAR, 8, 1), "999.99", commerce)
    money(db_, dt.date(YEAR + 1, 1, 3), "500", commerce)
    money(db_, dt.date(YEAR, 9, 1), "800", commerce, verify=False)
    # C: completes its quota, but never pays
    fc = project(commerce, c, "FC", "foreign", "香港", dt.date(YEAR, 1, 5), **foreign)
    money(fc, dt.date(YEAR, 7, 1), "80", commerce)

    for unit, day, receipt in (
        (a, dt.date(YEAR, 4, 10), "CZ-A"),
        (b, dt.date(YEAR, 5, 1), "CZ-B"),
        (d, dt.date(YEAR, 4, 1), "CZ-D"),
    ):
        services.deposit_record(
            year=YEAR, unit=unit, amount=D("3000.00"), paid_on=day, receipt_no=receipt, user=finance
        )
    # D: the service only takes a payment from a unit that carries a quota, so D pays while it
    # has one; its quota is then withdrawn (the grid clears the cell), which leaves a unit that
    # paid but owes no task for the year: the 退还 (refund only) case.
    quotas_save(year=YEAR, unit_values={(d.pk, ind["fdi_actual"].pk): None}, district_values={})
    return units


@pytest.fixture
def late_money_b(scenario, commerce):
    """Another 0.01 for B dated inside the settled year, verified after the settlement."""

    def add():
        db_ = scenario["B"].projects.get(code="DB")
        return money(db_, dt.date(YEAR, 11, 30), "0.01", commerce)

    return add


def settlement_url(name="settlement", year=YEAR) -> str:
    return reverse(f"deposits:{name}", args=[year])


# --- the preview -----------------------------------------------------------------------


def test_the_preview_gives_every_outcome_and_writes_nothing(scenario):
    before = counts()
    history = Settlement.history.count()
    lines = {line.unit.code: line for line in services.settlement_preview(YEAR)}
    assert set(lines) == {"A01", "B01", "C01", "D01"}  # E01 owes nothing and paid nothing
    assert {code: line.amounts.outcome for code, line in lines.items()} == {
        "A01": Outcome.REFUND_AND_BONUS,
        "B01": Outcome.FORFEIT,
        "C01": Outcome.UNPAID,
        "D01": Outcome.REFUND,
    }
    assert lines["A01"].figures == {
        "fdi_actual": {"quota": "100.00", "actual": "100.00"},
        "domestic_projects": {"quota": "1.00", "actual": "1.00"},
    }
    assert lines["B01"].figures["domestic_actual"] == {"quota": "1000.00", "actual": "999.99"}
    assert lines["B01"].figures["fdi_actual"] == {"quota": "100.00", "actual": "150.00"}
    assert lines["D01"].figures == {}
    assert lines["A01"].outcome_label == "退还并奖励"
    assert counts() == before
    assert Settlement.history.count() == history


def test_the_preview_page_writes_nothing(client_as, scenario):
    before = counts()
    response = client_as("finance").get(settlement_url())
    assert response.status_code == 200
    text = text_of(response)
    assert "结算预览：尚未写入任何数据。" in text
    assert settlement_url("settlement_confirm") in text  # finance may confirm
    assert settlement_url("settlement_sheet") not in text  # nothing recorded to download
    lines = page_lines(response)
    assert set(lines) == {"A01", "B01", "C01", "D01", "合计"}
    assert lines["A01"][1:] == ["退还并奖励", "3,000.00", "3,000.00", "3,000.00", "0.00"]
    assert lines["B01"][1:] == ["没收", "3,000.00", "0.00", "0.00", "3,000.00"]
    assert lines["C01"][1:] == ["未缴纳", "0.00", "0.00", "0.00", "0.00"]
    assert lines["D01"][1:] == ["退还", "3,000.00", "3,000.00", "0.00", "0.00"]
    assert lines["D01"][0] == "无任务"
    assert "实际到位外资：100.00 / 100.00" in lines["A01"][0]
    assert lines["合计"][-4:] == ["9,000.00", "6,000.00", "3,000.00", "3,000.00"]
    assert "缴纳合计 9,000.00 元 = 退还 6,000.00 元 + 没收 3,000.00 元。" in text
    assert counts() == before


@pytest.mark.parametrize("role", ["commerce", "leadership"])
def test_commerce_and_leadership_read_the_settlement_without_buttons(
    client_as, scenario, finance, role
):
    client = client_as(role)
    preview = client.get(settlement_url())
    assert preview.status_code == 200
    assert page_lines(preview)["B01"][1] == "没收"
    assert settlement_url("settlement_confirm") not in text_of(preview)
    services.settle_year(year=YEAR, user=finance)
    recorded = client.get(settlement_url())
    assert page_lines(recorded)["A01"][1] == "退还并奖励"
    assert settlement_url("settlement_reverse") not in text_of(recorded)
    assert settlement_url("settlement_sheet") in text_of(recorded)


@pytest.mark.parametrize("role", ["clerk", "other_clerk"])
def test_clerks_do_not_see_the_settlement_page(client_as, scenario, role):
    client = client_as(role)
    assert client.get(settlement_url()).status_code == 403
    assert client.get(settlement_url("settlement_sheet")).status_code == 403


# --- confirming ------------------------------------------------------------------------


def test_confirm_records_one_settlement_per_owing_unit_and_the_ledger(client_as, scenario, finance):
    response = client_as("finance").post(settlement_url("settlement_confirm"), follow=True)
    assert response.redirect_chain[-1][0] == settlement_url()
    assert "2025 年结算已记录：4 个单位。" in alerts(response)

    settlements = {s.unit.code: s for s in live()}
    assert set(settlements) == {"A01", "B01", "C01", "D01"}
    assert Settlement.objects.count() == 4
    expected = {
        "A01": (Outcome.REFUND_AND_BONUS, "3000", "3000", "3000", "0"),
        "B01": (Outcome.FORFEIT, "3000", "0", "0", "3000"),
        "C01": (Outcome.UNPAID, "0", "0", "0", "0"),
        "D01": (Outcome.REFUND, "3000", "3000", "0", "0"),
    }
    for code, (outcome, paid, refund, bonus, forfeit) in expected.items():
        s = settlements[code]
        assert s.outcome == outcome
        assert (s.paid_amount, s.refund_amount, s.bonus_amount, s.forfeit_amount) == (
            D(paid),
            D(refund),
            D(bonus),
            D(forfeit),
        )
        assert s.settled_by == finance
        assert s.reversed_at is None
    # the figures of 31 December are frozen into the settlement
    assert settlements["B01"].figures["domestic_actual"] == {
        "quota": "1000.00",
        "actual": "999.99",
    }
    assert settlements["D01"].figures == {}

    # the ledger: the deposit came in at payment; the settlement pays out or forfeits
    entries = {
        (e.unit.code, e.kind): e
        for e in LedgerEntry.objects.select_related("unit").exclude(kind=EntryKind.DEPOSIT_IN)
    }
    assert {(code, kind): e.amount for (code, kind), e in entries.items()} == {
        ("A01", EntryKind.REFUND_OUT): D("3000"),
        ("A01", EntryKind.BONUS_OUT): D("3000"),
        ("B01", EntryKind.FORFEIT): D("3000"),
        ("D01", EntryKind.REFUND_OUT): D("3000"),
    }
    for (code, _kind), entry in entries.items():
        assert entry.settlement == settlements[code]
        assert entry.created_by == finance
        assert entry.memo.startswith("年终结算")
    deposits_in = LedgerEntry.objects.filter(kind=EntryKind.DEPOSIT_IN)
    assert sorted(e.unit.code for e in deposits_in) == ["A01", "B01", "D01"]
    assert all(e.deposit is not None and e.settlement is None for e in deposits_in)
    assert not LedgerEntry.objects.filter(unit__code__in=["C01", "E01"]).exists()

    # the totals balance
    paid_in = ledger_sum(kind=EntryKind.DEPOSIT_IN)
    refunded = ledger_sum(kind=EntryKind.REFUND_OUT)
    forfeited = ledger_sum(kind=EntryKind.FORFEIT)
    bonus = ledger_sum(kind=EntryKind.BONUS_OUT)
    assert paid_in == D("9000") == refunded + forfeited
    completed_paid = sum(
        (s.paid_amount for s in settlements.values() if s.outcome == Outcome.REFUND_AND_BONUS),
        D(0),
    )
    assert bonus == completed_paid == D("3000")
    totals = live().aggregate(
        p=Sum("paid_amount"), r=Sum("refund_amount"), b=Sum("bonus_amount"), f=Sum("forfeit_amount")
    )
    assert totals == {"p": D("9000"), "r": D("6000"), "b": D("3000"), "f": D("3000")}


def test_the_recorded_page_shows_who_settled_and_the_board_shows_the_outcomes(
    client_as, scenario, finance
):
    services.settle_year(year=YEAR, user=finance)
    client = client_as("finance")
    page = client.get(settlement_url())
    text = text_of(page)
    assert "由 " in text and "结算。以下金额以结算时冻结的 12 月 31 日完成情况为准。" in text
    assert "结算预览" not in text
    assert settlement_url("settlement_reverse") in text  # finance may reverse
    assert settlement_url("settlement_confirm") not in text
    lines = page_lines(page)
    assert lines["A01"][1:6] == ["退还并奖励", "3,000.00", "3,000.00", "3,000.00", "0.00"]
    assert lines["A01"][6] == "—"  # no drift
    board = board_rows(client.get(reverse("deposits:board", args=[YEAR])))
    assert {code: row[-1] for code, row in board.items()} == {
        "A01": "退还并奖励",
        "B01": "没收",
        "C01": "未缴纳",
        "D01": "退还",
    }


def test_a_clerk_sees_only_their_own_deposit_and_outcome(client_as, scenario, finance):
    services.settle_year(year=YEAR, user=finance)
    response = client_as("clerk").get(reverse("deposits:board", args=[YEAR]))
    assert response.status_code == 200
    rows = board_rows(response)
    assert set(rows) == {"A01"}
    assert rows["A01"][3] == "已缴"
    assert rows["A01"][-1] == "退还并奖励"
    text = text_of(response)
    for other in ("B01", "乙镇", "没收", "C01", "D01", "未缴纳"):
        assert other not in text
    other = board_rows(client_as("other_clerk").get(reverse("deposits:board", args=[YEAR])))
    assert set(other) == {"B01"}
    assert other["B01"][3] == "逾期缴纳"
    assert other["B01"][-1] == "没收"


def test_a_second_confirm_through_the_page_changes_nothing(client_as, scenario):
    client = client_as("finance")
    client.post(settlement_url("settlement_confirm"))
    before = counts()
    recorded = sorted(live().values_list("pk", "outcome", "settled_at"))
    response = client.post(settlement_url("settlement_confirm"), follow=True)
    assert "2025 年已经结算过，本次没有任何改动。" in text_of(response)
    assert counts() == before
    assert sorted(live().values_list("pk", "outcome", "settled_at")) == recorded


def test_a_second_settle_year_returns_the_recorded_settlements(scenario, finance):
    first, created = services.settle_year(year=YEAR, user=finance)
    assert created is True
    before = counts()
    colleague = UserFactory(username="finance_colleague", role=Role.FINANCE)
    again, created_again = services.settle_year(year=YEAR, user=colleague)
    assert created_again is False
    assert sorted(s.pk for s in again) == sorted(s.pk for s in first)
    assert counts() == before
    assert all(s.settled_by == finance for s in live())


def test_no_payment_is_recorded_in_a_settled_year(client_as, scenario, finance, ind):
    services.settle_year(year=YEAR, user=finance)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.deposit_record(
            year=YEAR,
            unit=scenario["C"],
            amount=D("3000"),
            paid_on=dt.date(YEAR, 12, 1),
            user=finance,
        )
    # (second release: the message says how to unlock the year)
    assert services.settled_message(YEAR) in caught.value.messages
    response = client_as("finance").post(
        reverse("deposits:pay", args=[YEAR]),
        {"unit": scenario["C"].pk, "amount": "3000", "paid_on": "2025-12-01"},
    )
    assert response.status_code == 200
    assert services.settled_message(YEAR) in text_of(response)
    assert counts() == before


# --- a year that has not ended ---------------------------------------------------------


@pytest.fixture
def current_year(units, ind, finance):
    """This year: a quota and a payment, so that a settlement would write something."""
    quotas_save(
        year=CURRENT,
        unit_values={(units["A"].pk, ind["fdi_actual"].pk): D("1")},
        district_values={},
    )
    services.deposit_record(
        year=CURRENT,
        unit=units["A"],
        amount=D("3000"),
        paid_on=dt.date(CURRENT, 1, 2),
        user=finance,
    )
    return CURRENT


NOT_ENDED = f"{CURRENT} 年还没有结束，年终结算要到 {CURRENT + 1} 年 1 月 1 日以后才能进行。"


def test_the_service_refuses_a_year_that_has_not_ended(current_year, finance):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.settle_year(year=current_year, user=finance)
    assert caught.value.messages == [NOT_ENDED]
    with pytest.raises(ValidationError):
        services.settlement_preview(current_year)
    with pytest.raises(ValidationError, match="还没有结束"):
        services.settle_year(year=current_year + 1, user=finance)
    assert counts() == before


def test_the_page_refuses_a_year_that_has_not_ended(client_as, current_year):
    client = client_as("finance")
    before = counts()
    page = client.get(settlement_url(year=current_year))
    assert page.status_code == 200
    assert NOT_ENDED in text_of(page)
    assert settlement_url("settlement_confirm", current_year) not in text_of(page)
    response = client.post(settlement_url("settlement_confirm", current_year), follow=True)
    assert response.redirect_chain[-1][0] == settlement_url(year=current_year)
    assert NOT_ENDED in alerts(response)
    assert counts() == before
    assert not Settlement.objects.exists()


@pytest.mark.parametrize("confirm", [True, False])
def test_the_command_refuses_a_year_that_has_not_ended(current_year, monkeypatch, capsys, confirm):
    before = counts()
    args = ["--year", str(current_year)] + (["--confirm"] if confirm else [])
    with pytest.raises(CommandError, match="还没有结束"):
        run_command(*args)
    assert counts() == before
    # as manage.py runs it: the message on standard error, nothing on standard output, and a
    # non-zero exit status
    with pytest.raises(SystemExit) as exit_info:
        run_from_argv(monkeypatch, *args)
    assert exit_info.value.code not in (0, None)
    captured = capsys.readouterr()
    assert NOT_ENDED in captured.err
    assert captured.out == ""
    assert counts() == before


def test_the_command_refuses_an_invalid_year(db):
    with pytest.raises(CommandError, match="年度 1999 无效"):
        run_command("--year", "1999")
    assert counts() == {"Deposit": 0, "LedgerEntry": 0, "Settlement": 0, "ResponsibilityLetter": 0}


# --- the settle_deposits command -------------------------------------------------------


def test_the_command_without_confirm_writes_nothing_and_agrees_with_the_page(client_as, scenario):
    before = counts()
    out, err = run_command("--year", str(YEAR))
    assert counts() == before
    assert out.splitlines() == EXPECTED_CSV
    assert "未写入任何数据" in err
    assert HEADER not in err
    # the same outcomes and amounts as the page's preview
    lines = page_lines(client_as("finance").get(settlement_url()))
    for row in list(csv.reader(io.StringIO(out)))[1:]:
        code, _name, outcome, *amounts = row
        assert lines[code][1] == outcome
        assert [a.replace(",", "") for a in lines[code][2:6]] == amounts
    assert counts() == before


def test_the_command_confirms_once_and_then_prints_the_recorded_outcome(
    scenario, monkeypatch, capsys
):
    out, err = run_command("--year", str(YEAR), "--confirm")
    assert out.splitlines() == EXPECTED_CSV
    assert "2025 年结算已记录：4 个单位。" in err
    assert "缴纳合计 9000.00 元 = 退还 + 没收合计 9000.00 元。" in err
    assert live().count() == 4
    assert all(s.settled_by is None for s in live())
    before = counts()

    again, err_again = run_command("--year", str(YEAR), "--confirm")
    assert again.splitlines() == EXPECTED_CSV
    assert "2025 年已经结算过，本次没有任何改动；以下是已记录的结果。" in err_again
    assert counts() == before

    # as manage.py runs it: exit status 0, only the CSV on standard output
    run_from_argv(monkeypatch, "--year", str(YEAR), "--confirm")
    captured = capsys.readouterr()
    assert captured.out.splitlines() == EXPECTED_CSV
    assert "已经结算过" in captured.err
    assert counts() == before


def test_the_command_prints_what_the_page_recorded(client_as, scenario):
    client_as("finance").post(settlement_url("settlement_confirm"))
    before = counts()
    out, err = run_command("--year", str(YEAR), "--confirm")
    assert out.splitlines() == EXPECTED_CSV
    assert "已经结算过" in err
    assert counts() == before


def test_the_command_csv_has_two_decimals(scenario, ind, finance):
    unit = UnitFactory(code="F01", name="己镇")
    quotas_save(
        year=YEAR, unit_values={(unit.pk, ind["fdi_actual"].pk): D("5")}, district_values={}
    )
    # (second release: a payment is exactly the year's amount, so F01 owes and never paid)
    out, _err = run_command("--year", str(YEAR))
    rows = {row[0]: row for row in csv.reader(io.StringIO(out))}
    assert rows["F01"] == ["F01", "己镇", "未缴纳", "0.00", "0.00", "0.00", "0.00"]
    for row in list(rows.values())[1:]:
        for amount in row[3:]:
            assert re.fullmatch(r"\d+\.\d\d", amount)


# --- the settlement sheet --------------------------------------------------------------


def test_the_settlement_sheet_downloads_as_xlsx(client_as, scenario, finance):
    services.settle_year(year=YEAR, user=finance)
    response = client_as("commerce").get(settlement_url("settlement_sheet"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="settlement-2025.xlsx"; '
        f"filename*=utf-8''{quote('2025年风险抵押金结算单.xlsx')}"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert "2025年度招商引资风险抵押金结算单" in values[0][0]
    assert values[1][:7] == [
        "单位编码",
        "单位名称",
        "结果",
        "缴纳金额（元）",
        "退还金额（元）",
        "奖励金额（元）",
        "没收金额（元）",
    ]
    units = {row[0]: row for row in values[2:6]}
    assert set(units) == {"A01", "B01", "C01", "D01"}
    assert units["A01"][1:3] == ["甲镇", "退还并奖励"]
    assert [D(str(v)) for v in units["A01"][3:7]] == [D(3000), D(3000), D(3000), D(0)]
    assert [D(str(v)) for v in units["B01"][3:7]] == [D(3000), D(0), D(0), D(3000)]
    assert units["C01"][2] == "未缴纳"
    assert units["D01"][2] == "退还"
    total = next(row for row in values if row[1] == "合计")
    assert [D(str(v)) for v in total[3:7]] == [D(9000), D(6000), D(3000), D(3000)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert "9000.00 = 6000.00 + 3000.00" in flat
    for label in ("经办人（签字）：", "复核人（签字）：", "财政局负责人（签字）：", "日期："):
        assert label in flat


def test_there_is_no_sheet_before_settlement(client_as, scenario):
    response = client_as("finance").get(settlement_url("settlement_sheet"), follow=True)
    assert response.redirect_chain[-1][0] == settlement_url()
    assert "2025 年还没有结算，没有结算单可下载。" in alerts(response)


# --- frozen figures --------------------------------------------------------------------


def test_money_verified_after_settlement_does_not_change_it_but_shows_as_drift(
    client_as, scenario, finance, late_money_b
):
    services.settle_year(year=YEAR, user=finance)
    frozen = {s.unit.code: (s.outcome, s.forfeit_amount, s.figures) for s in live()}
    before = counts()

    late_money_b()  # B now reaches 1000.00 of 1000 in the settled year

    assert counts() == before
    after = {s.unit.code: (s.outcome, s.forfeit_amount, s.figures) for s in live()}
    assert after == frozen
    assert after["B01"][0] == Outcome.FORFEIT
    # the live figures would now give B a refund and a bonus ...
    preview = {line.unit.code: line for line in services.settlement_preview(YEAR)}
    assert preview["B01"].amounts.outcome == Outcome.REFUND_AND_BONUS
    # ... and the page says so, next to the recorded amounts
    page = client_as("finance").get(settlement_url())
    assert "结算后有 1 个单位的完成数据发生了变化" in alerts(page)
    lines = page_lines(page)
    assert lines["B01"][1:6] == ["没收", "3,000.00", "0.00", "0.00", "3,000.00"]
    # the frozen figures, the exact shortfall at settlement, and the live figure beside them
    assert (
        "实际到位内资（境内省外资金）：1,000.00 / 999.99 万元 （差 0.01 万元） 现为 1,000.00"
        in lines["B01"][0]
    )
    assert lines["B01"][6] == "已变动：实际到位内资（境内省外资金） 按现在的数据应为“退还并奖励”"
    assert lines["A01"][6] == "—"
    # the command confirming again still prints the recorded outcome
    out, _err = run_command("--year", str(YEAR), "--confirm")
    assert out.splitlines() == EXPECTED_CSV
    assert counts() == before


# --- reversal --------------------------------------------------------------------------


def test_reversal_needs_a_reason(client_as, scenario, finance):
    services.settle_year(year=YEAR, user=finance)
    before = counts()
    client = client_as("finance")
    for reason in ("", "   "):
        response = client.post(
            settlement_url("settlement_reverse"), {"reason": reason}, follow=True
        )
        assert "冲销结算必须写明原因。" in alerts(response)
    with pytest.raises(ValidationError) as caught:
        services.settlement_reverse(year=YEAR, user=finance, reason="  ")
    assert caught.value.message_dict["reason"] == ["冲销结算必须写明原因。"]
    assert counts() == before
    assert live().count() == 4


def test_nothing_to_reverse_before_settlement(client_as, scenario, finance):
    before = counts()
    response = client_as("finance").post(
        settlement_url("settlement_reverse"), {"reason": "误操作"}, follow=True
    )
    assert "2025 年还没有结算，无需冲销。" in alerts(response)
    assert counts() == before


def test_reversal_writes_opposite_entries_and_the_year_can_be_settled_again(
    client_as, scenario, finance, late_money_b
):
    client = client_as("finance")
    client.post(settlement_url("settlement_confirm"))
    first = {s.unit.code: s for s in live()}
    late_money_b()
    entries_before = LedgerEntry.objects.count()

    response = client.post(
        settlement_url("settlement_reverse"), {"reason": "乙镇补录12月到位资金"}, follow=True
    )
    assert "已冲销 2025 年 4 个单位的结算，可以重新结算。" in alerts(response)
    assert not live().exists()
    for s in Settlement.objects.all():
        assert s.reversed_at is not None
        assert s.reversed_by == finance
        assert s.reversal_reason == "乙镇补录12月到位资金"
    # four settlement entries (A refund + bonus, B forfeit, D refund), each reversed
    assert LedgerEntry.objects.count() == entries_before + 4
    reversals = LedgerEntry.objects.filter(amount__lt=0)
    assert reversals.count() == 4
    assert all(e.memo == "冲销：乙镇补录12月到位资金" for e in reversals)
    for code in ("A01", "B01", "C01", "D01"):
        for kind in SETTLEMENT_KINDS:
            assert ledger_sum(unit__code=code, kind=kind) == 0
        assert ledger_sum(unit__code=code, kind__in=SETTLEMENT_KINDS) == 0
    # the deposits paid in stay in the ledger
    assert ledger_sum(kind=EntryKind.DEPOSIT_IN) == D("9000")
    # the page offers confirming again
    page = client.get(settlement_url())
    assert "结算预览" in text_of(page)
    assert page_lines(page)["B01"][1] == "退还并奖励"

    response = client.post(settlement_url("settlement_confirm"), follow=True)
    assert "2025 年结算已记录：4 个单位。" in alerts(response)
    assert Settlement.objects.count() == 8
    for code in ("A01", "B01", "C01", "D01"):
        assert live().filter(unit__code=code).count() == 1
    second = {s.unit.code: s for s in live()}
    assert second["B01"].outcome == Outcome.REFUND_AND_BONUS
    assert second["B01"].pk != first["B01"].pk
    assert second["A01"].outcome == first["A01"].outcome
    # what is live in the ledger is exactly the new settlement
    assert ledger_sum(unit__code="B01", kind=EntryKind.FORFEIT) == 0
    assert ledger_sum(unit__code="B01", kind=EntryKind.REFUND_OUT) == D("3000")
    assert ledger_sum(unit__code="B01", kind=EntryKind.BONUS_OUT) == D("3000")
    assert ledger_sum(kind=EntryKind.DEPOSIT_IN) == ledger_sum(
        kind__in=(EntryKind.REFUND_OUT, EntryKind.FORFEIT)
    )
    # the command agrees with the new settlement
    out, _err = run_command("--year", str(YEAR), "--confirm")
    assert "B01,乙镇,退还并奖励,3000.00,3000.00,3000.00,0.00" in out.splitlines()


# --- settling once: the database and two officers at once ------------------------------


def test_two_finance_officers_confirming_settle_once(client_as, scenario):
    second_officer = UserFactory(username="finance2", role=Role.FINANCE)
    one = client_as("finance")
    two = Client()
    two.force_login(second_officer)
    first = one.post(settlement_url("settlement_confirm"), follow=True)
    second = two.post(settlement_url("settlement_confirm"), follow=True)
    assert "2025 年结算已记录：4 个单位。" in alerts(first)
    assert "2025 年已经结算过，本次没有任何改动。" in text_of(second)
    assert Settlement.objects.count() == 4
    for code in ("A01", "B01", "C01", "D01"):
        assert live().filter(unit__code=code).count() == 1
    assert not live().filter(settled_by=second_officer).exists()


def test_sequential_confirms_settle_once(scenario, finance):
    results = [services.settle_year(year=YEAR, user=finance) for _ in range(3)]
    assert [created for _s, created in results] == [True, False, False]
    assert Settlement.objects.count() == 4
    assert LedgerEntry.objects.filter(settlement__isnull=False).count() == 4


def test_the_database_allows_one_live_settlement_per_unit_and_year(scenario, finance):
    services.settle_year(year=YEAR, user=finance)
    year = year_get_or_create(YEAR)
    unit = scenario["C"]
    before = counts()
    with pytest.raises(IntegrityError), transaction.atomic():
        Settlement.objects.create(year=year, unit=unit, outcome=Outcome.UNPAID)
    assert counts() == before
    # once the live one is reversed, a new one is allowed
    Settlement.objects.filter(year=year, unit=unit).update(
        reversed_at=timezone.now(), reversal_reason="测试"
    )
    Settlement.objects.create(year=year, unit=unit, outcome=Outcome.UNPAID)
    assert Settlement.objects.filter(year=year, unit=unit).count() == 2
    assert live().filter(unit=unit).count() == 1
    # a reversal without a reason, or amounts that do not balance, are refused as well
    with pytest.raises(IntegrityError), transaction.atomic():
        Settlement.objects.filter(year=year, unit=unit, reversed_at__isnull=True).update(
            reversed_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Settlement.objects.create(
            year=year,
            unit=scenario["E"],
            outcome=Outcome.FORFEIT,
            paid_amount=D("3000"),
            refund_amount=D("3000"),
            forfeit_amount=D("3000"),
        )


def test_the_model_validation_names_the_duplicate_settlement(scenario, finance):
    services.settle_year(year=YEAR, user=finance)
    duplicate = Settlement(
        year=year_get_or_create(YEAR), unit=scenario["A"], outcome=Outcome.REFUND_AND_BONUS
    )
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "该单位本年度已经结算，不能重复结算。" in caught.value.messages


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: row locks across connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_at_the_same_moment_settle_once(scenario, finance, monkeypatch):
    """Two threads, each with its own connection, confirm the same year at once. The slow
    preview makes sure the second arrives while the first still holds the year's lock."""
    real_preview = services.settlement_preview

    def slow_preview(year):
        lines = real_preview(year)
        time.sleep(0.5)
        return lines

    monkeypatch.setattr(services, "settlement_preview", slow_preview)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def confirm():
        try:
            barrier.wait(timeout=10)
            settlements, created = services.settle_year(year=YEAR, user=finance)
            results.append((created, sorted(s.pk for s in settlements)))
        except Exception as error:  # any error is a failure, reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert errors == []
    assert sorted(created for created, _pks in results) == [False, True]
    assert results[0][1] == results[1][1]  # both callers see the same settlements
    assert Settlement.objects.count() == 4
    for code in ("A01", "B01", "C01", "D01"):
        assert live().filter(unit__code=code).count() == 1
    assert LedgerEntry.objects.filter(settlement__isnull=False).count() == 4
    assert ledger_sum(kind=EntryKind.DEPOSIT_IN) == ledger_sum(
        kind__in=(EntryKind.REFUND_OUT, EntryKind.FORFEIT)
    )


def test_the_sheet_shows_counts_as_integers_and_large_gaps_with_separators(
    client_as, scenario, ind
):
    c = scenario["C"]
    quotas_save(
        year=YEAR,
        unit_values={
            (c.pk, ind["domestic_projects"].pk): D("3"),
            (c.pk, ind["domestic_actual"].pk): D("12000"),
        },
        district_values={},
    )
    lines = page_lines(client_as("finance").get(settlement_url()))
    assert "引进内资项目：1 / 1 个" in lines["A01"][0]
    assert "引进内资项目：3 / 0 个 （差 3 个）" in lines["C01"][0]
    assert (
        "实际到位内资（境内省外资金）：12,000.00 / 0.00 万元 （差 12,000.00 万元）"
        in (lines["C01"][0])
    )
