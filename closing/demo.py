"""Demo data of the monthly close (called from portal.demo): the last month the demo loads
is closed (1–10月 when the demo runs to October), the city's figures entered with one
explained difference, one 通报 issued, and one inflow verified after the close so that the
changes list shows something."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from closing import services
from projects.models import Inflow, InflowStatus
from projects.services import inflow_verify
from targets import closes
from targets import indicators as codes

CITY_EXTRA = Decimal("35.00")  # the city counted a registration the district had not yet


def load(*, year: int, last_day: dt.date, commerce, stdout=None) -> dict:
    month = last_day.month
    if last_day != closes.month_end(year, month) or last_day >= timezone.localdate():
        return {}
    services.month_close(year=year, month=month, user=commerce)
    frozen = closes.closed_report(year, month)
    values = {}
    for ind in frozen.indicators:
        actual = frozen.district[ind.code].actual
        if ind.code == codes.FDI_ACTUAL:
            values[ind.code] = (
                actual + CITY_EXTRA,
                "市里按外汇登记日期统计，含一笔月末登记、次月初才到账的资金（35万美元）。",
            )
        else:
            values[ind.code] = (actual, "")
    services.city_figures_save(year=year, month=month, values=values, user=commerce)
    services.bulletin_issue(
        year=year,
        month=month,
        number=f"{settings.DISTRICT_NAME}商务通报〔{year}〕{month}号",
        user=commerce,
    )
    late = (
        Inflow.objects.filter(
            status=InflowStatus.PENDING,
            amount_flagged=False,
            arrived_on__gt=dt.date(year, 6, 30),  # the seed's first half stays as it is
            arrived_on__lte=last_day,
            project__code__startswith="DEMO-",
        )
        .exclude(project__capital_type="domestic", project__origin=frozen.home_province)
        .order_by("arrived_on", "pk")
        .first()
    )
    if late is not None:
        inflow_verify(inflow=late, user=commerce)
    if stdout is not None:
        stdout.write(f"关账 {year} 年 1–{month}月，市公布数据 {len(values)} 项，通报 1 份")
    return {"closed_month": month}
