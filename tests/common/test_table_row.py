"""``{% table_row %}`` writes what django-tables2's own row loop writes, on every table.

The reference below is django-tables2's way, cell by cell (``BoundRow.items()``, the
column's ``<td>`` attributes asked per cell, the ``localize`` switch): what the portal's
template rendered before the row tag worked things out once per table. Every list, board and
report page of the benchmark (bench/management/commands/bench_pages.py) is opened over the
demo data as the role that uses it, and each row of each table on it is rendered both ways.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.template import Context
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize as localize_filter
from django.templatetags.l10n import unlocalize
from django.test import Client
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2 import Table

from accounts.models import User
from bench.management.commands import bench_pages
from common.templatetags.portal_tables import table_row
from projects.models import Project

ACCOUNTS = {
    "commerce": "commerce",
    "clerk": "clerk",
    "leader": "leader",
    "finance": "finance",
    "auditor": "auditor",
}


def reference_row(context, row) -> str:
    cells = []
    for column, cell in row.items():
        if column.localize is None:
            value = cell
        elif column.localize:
            value = localize_filter(cell)
        else:
            value = unlocalize(cell)
        cells.append(
            "<td %s>%s</td>"
            % (column.attrs["td"].as_html(), render_value_in_context(value, context))
        )
    return format_html("<tr {}>{}</tr>", row.attrs.as_html(), mark_safe("".join(cells)))


# A CSRF token is masked afresh each time it is written: compare the rows without it.
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _same(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken"', html)


def _tables(response):
    seen = []
    for layer in response.context:
        for value in layer.flatten().values() if hasattr(layer, "flatten") else ():
            if isinstance(value, Table) and all(value is not t for t in seen):
                seen.append(value)
    return seen


@pytest.mark.django_db
def test_every_table_row_is_django_tables2s_own():
    call_command("load_roster", stdout=io.StringIO())
    call_command("create_demo_accounts", password="pw-demo-1", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())
    unit = User.objects.get(username="clerk").unit
    assert Project.objects.filter(unit=unit).exists()
    clients = {}
    for key, username in ACCOUNTS.items():
        clients[key] = Client()
        clients[key].force_login(User.objects.get(username=username))
    compared = rows_compared = 0
    for name, who, url in bench_pages.pages():
        if "export=" in url:
            continue
        response = clients[who].get(url.replace("{unit}", str(unit.pk)))
        assert response.status_code == 200, (name, response.status_code)
        for table in _tables(response):
            context = Context({"request": response.wsgi_request}, autoescape=True)
            rows = table.paginated_rows if getattr(table, "page", None) else table.rows
            for row in rows:
                assert _same(table_row(context, row)) == _same(reference_row(context, row)), name
                rows_compared += 1
            compared += 1
    # The demo data fills the lists: the comparison ran on real rows of many tables.
    assert compared >= 15
    assert rows_compared >= 300
