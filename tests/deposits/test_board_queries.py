"""The deposit board's query count does not grow with the number of units."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deposits.services import deposit_record
from targets.models import Indicator
from targets.services import quotas_save
from tests.factories import UnitFactory


def _owing_units(n, finance):
    indicator = Indicator.objects.get(code="domestic_projects")
    units = [UnitFactory() for _ in range(n)]
    quotas_save(
        year=2025,
        unit_values={(u.pk, indicator.pk): Decimal("2") for u in units},
        district_values={},
    )
    for unit in units[::2]:
        deposit_record(
            year=2025, unit=unit, amount=Decimal("3000"), paid_on=dt.date(2025, 4, 1), user=finance
        )


def test_the_board_query_count_is_constant(client_as, finance):
    client = client_as("finance")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("deposits:board", args=[2025])).status_code == 200
        return len(ctx.captured_queries)

    _owing_units(3, finance)
    few = count()
    _owing_units(30, finance)
    assert count() == few
