"""Figures of 2025 (a past year: every month has ended) for the close tests."""

import datetime as dt
from decimal import Decimal as D

import pytest

from projects import services
from targets.models import Indicator
from targets.services import quotas_save

YEAR = 2025


def money(project, day, amount, user, verify=True, voucher=None):
    inflow = services.inflow_create(
        user=user,
        project=project,
        data={
            "arrived_on": day,
            "amount": D(amount),
            "voucher_no": voucher or f"V-{project.pk}-{day}-{amount}",
        },
    )
    if verify:
        services.inflow_verify(inflow=inflow, user=user)
    return inflow


@pytest.fixture
def ind(db):
    return {i.code: i for i in Indicator.objects.all()}


@pytest.fixture
def figures(unit_a, unit_b, commerce, ind):
    """Unit A: 512 foreign money by 30 June (quota 1000), a pending 100 that arrived in May;
    unit B: nothing against a quota of 500 (严重滞后). Last year's 1–6月: 400."""
    quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, ind["fdi_actual"].pk): D("1000"),
            (unit_b.pk, ind["fdi_actual"].pk): D("500"),
        },
        district_values={ind["fdi_actual"].pk: D("4903")},
    )
    foreign = services.project_create(
        user=commerce,
        data={
            "code": "F1",
            "name": "外资一",
            "capital_type": "foreign",
            "unit": unit_a,
            "origin": "香港",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 1, 5),
            "approved_on": dt.date(YEAR, 2, 1),
            "contract_amount": D("800"),
        },
    )
    money(foreign, dt.date(YEAR, 3, 10), "300", commerce)
    money(foreign, dt.date(YEAR, 6, 30), "212", commerce)
    pending = money(foreign, dt.date(YEAR, 5, 1), "100", commerce, verify=False, voucher="LATE-1")
    last = services.project_create(
        user=commerce,
        data={
            "code": "F0",
            "name": "去年外资",
            "capital_type": "foreign",
            "unit": unit_a,
            "origin": "美国",
            "stage": "signed",
            "signed_on": dt.date(YEAR - 1, 1, 5),
            "approved_on": dt.date(YEAR - 1, 1, 6),
            "contract_amount": D("100"),
        },
    )
    money(last, dt.date(YEAR - 1, 6, 30), "400", commerce)
    return {"foreign": foreign, "pending": pending}
