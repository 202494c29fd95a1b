"""Reads for the quota grid and the unit pages."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from targets.models import DistrictTask, Indicator, Quota
from units.models import Unit


def grid_data(year: int):
    """Units (active ones and any holding a quota that year), indicators, quotas and tasks."""
    indicators = list(Indicator.objects.order_by("display_order"))
    quotas = {
        (q.unit_id, q.indicator_id): q.amount
        for q in Quota.objects.filter(year__year=year).only("unit_id", "indicator_id", "amount")
    }
    unit_ids_with_quota = {unit_id for unit_id, _ in quotas}
    units = list(Unit.objects.filter(Q(is_active=True) | Q(pk__in=unit_ids_with_quota)))
    tasks = {
        t.indicator_id: t.amount
        for t in DistrictTask.objects.filter(year__year=year).only("indicator_id", "amount")
    }
    return units, indicators, quotas, tasks


def quota_sums(indicators, quotas: dict) -> dict[int, Decimal]:
    sums = {ind.pk: Decimal("0") for ind in indicators}
    for (_unit_id, indicator_id), amount in quotas.items():
        sums[indicator_id] += amount
    return sums


def unit_quotas(unit: Unit, year: int) -> list[Quota]:
    return list(
        Quota.objects.filter(unit=unit, year__year=year)
        .select_related("indicator")
        .order_by("indicator__display_order")
    )
