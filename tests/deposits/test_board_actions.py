"""The deposit board's per-row 登记 and the overdue list's days overdue."""

import datetime as dt
import re
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.deposits import test_deposits as base
from tests.deposits.test_deposits import YEAR, rows_by_code

# The money fixtures of the deposits tests: A paid on time, B late, C never (E owes nothing).
ind, owing, paid, unit_c, unit_e = base.ind, base.owing, base.paid, base.unit_c, base.unit_e


def board(client):
    return client.get(reverse("deposits:board", args=[YEAR]))


def test_finance_gets_a_record_action_on_each_unpaid_row(client_as, paid, unit_c):
    response = board(client_as("finance"))
    rows = rows_by_code(response)
    assert rows["C01"][-1] == "登记"
    assert rows["A01"][-1] == "" and rows["B01"][-1] == ""  # paid already
    link = f"{reverse('deposits:pay', args=[YEAR])}?unit={unit_c.pk}"
    assert f'href="{link}"' in response.content.decode()
    form = client_as("finance").get(link).content.decode()
    selected = re.search(r'<option value="(\d+)" selected>', form)
    assert selected and int(selected.group(1)) == unit_c.pk


def test_readers_get_no_record_action(client_as, paid):
    for role in ("clerk", "commerce", "leadership"):
        response = board(client_as(role))
        assert "?unit=" not in response.content.decode(), role
        assert "操作" not in response.content.decode(), role


def test_the_action_is_not_exported(client_as, paid):
    response = client_as("finance").get(reverse("deposits:board", args=[YEAR]) + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "操作" not in headers and "单位编码" in headers


def test_the_overdue_list_shows_days_overdue(client_as, paid):
    response = client_as("commerce").get(reverse("deposits:overdue", args=[YEAR]))
    tables = re.findall(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    unpaid_rows = re.findall(r"<tr>(.*?)</tr>", tables[0], re.S)
    late_rows = re.findall(r"<tr>(.*?)</tr>", tables[1], re.S)
    due = dt.date(YEAR, 4, 15)
    unpaid_days = (timezone.localdate() - due).days
    c_cells = re.findall(r"<td[^>]*>(.*?)</td>", unpaid_rows[0])
    assert c_cells[0] == "C01" and c_cells[-1] == f"{unpaid_days:,}"
    b_cells = re.findall(r"<td[^>]*>(.*?)</td>", late_rows[0])
    assert b_cells[0] == "B01" and b_cells[-1] == str((dt.date(YEAR, 5, 1) - due).days)
    assert "逾期天数" in response.content.decode()
