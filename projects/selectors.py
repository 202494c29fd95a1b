"""Reads of projects and inflows, narrowed to what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from projects.models import (
    SIGNED_STAGES,
    STAGE_ORDER,
    Inflow,
    InflowStatus,
    Project,
    PromotionEvent,
    Stage,
)
from targets.models import CapitalType
from targets.selectors import tally_period_totals


def project_for_user(user, pk: int) -> Project:
    """The project, or 404 when it does not exist or belongs to another unit."""
    return get_object_or_404(Project.objects.for_user(user).select_related("unit", "event"), pk=pk)


def inflow_for_user(user, pk: int) -> Inflow:
    """The inflow, or 404 when it does not exist or belongs to another unit."""
    return get_object_or_404(Inflow.objects.for_user(user).select_related("project__unit"), pk=pk)


def inflows_for_user(user, ids) -> list[Inflow]:
    """The inflows with these ids, or 404 when any of them does not exist or belongs to
    another unit (a bulk action acts on all of them or on none)."""
    wanted = set(ids)
    found = list(Inflow.objects.for_user(user).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise Http404
    return found


def duplicate_queue() -> list[tuple[Project, list[Project]]]:
    """重复统计 candidates waiting for the commerce bureau, each with the other units'
    projects it matches (three queries, whatever the number)."""
    flagged = list(
        Project.objects.filter(duplicate_flagged=True).select_related("unit").order_by("code")
    )
    found = duplicate_matches(flagged)
    ids = {pk for pks in found for pk in pks}
    others = Project.objects.select_related("unit").in_bulk(ids)
    return [
        (project, [others[pk] for pk in pks if pk in others])
        for project, pks in zip(flagged, found, strict=True)
    ]


def legacy_voucher_queue() -> list[Inflow]:
    """Inflows recorded before a 凭证号 counted once in the district and sharing one with an
    earlier inflow: they keep counting, listed as 待处理 for the commerce bureau."""
    return list(
        Inflow.objects.filter(legacy_voucher_duplicate=True)
        .exclude(status=InflowStatus.VOIDED)
        .select_related("project__unit")
        .order_by("voucher_no", "pk")
    )


def duplicate_matches(projects: list[Project]) -> list[list[int]]:
    """For each project, the ids of another unit's projects that look like the same one:
    the same investor credit code, or without one the same investor and project name (a
    hint). Withdrawn projects match nothing. Projects of the list without an id match each
    other too (they are matched by position, as negative numbers −1, −2 …)."""
    credit = {p.investor_credit_code for p in projects if p.investor_credit_code}
    names = {(p.investor, p.name) for p in projects if not p.investor_credit_code and p.investor}
    candidates: list[tuple[int, int, str, str, str]] = []
    if credit or names:
        query = Q(investor_credit_code__in=credit) if credit else Q(pk__in=[])
        if names:
            query |= Q(investor__in={n[0] for n in names}, name__in={n[1] for n in names})
        candidates = list(
            Project.objects.filter(query)
            .exclude(stage=Stage.WITHDRAWN)
            .values_list("pk", "unit_id", "investor_credit_code", "investor", "name")
        )
    listed = {p.pk for p in projects if p.pk}
    candidates = [c for c in candidates if c[0] not in listed]
    candidates += [
        (p.pk or -(index + 1), p.unit_id, p.investor_credit_code, p.investor, p.name)
        for index, p in enumerate(projects)
    ]
    # Indexed by what matches, so that a batch of thousands costs linear time.
    by_credit: dict[str, list[tuple[int, int]]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for pk, unit_id, credit_code, investor, name in candidates:
        if credit_code:
            by_credit[credit_code].append((pk, unit_id))
        if investor:
            by_name[(investor, name)].append((pk, unit_id))
    out = []
    for index, project in enumerate(projects):
        me = project.pk or -(index + 1)
        if project.investor_credit_code:
            pool = by_credit.get(project.investor_credit_code, [])
        elif project.investor:
            pool = by_name.get((project.investor, project.name), [])
        else:
            pool = []
        out.append([pk for pk, unit_id in pool if pk != me and unit_id != project.unit_id])
    return out


# --- the park, promotion events and the pipeline (read by reporting's pages) -----------


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if not whole else Decimal(part) / Decimal(whole)


def park_share(year: int, as_of: dt.date) -> list[dict]:
    """Park-introduced projects and money against all, from 1 January to ``as_of``; read
    from the tally (projects.counting), not from the records."""
    totals = tally_period_totals(as_of)
    rows = []
    for capital, label, measure in (
        (CapitalType.FOREIGN, _("外资"), _("万美元")),
        (CapitalType.DOMESTIC, _("内资"), _("万元")),
    ):
        split = {}
        for what in ("signed", "contract", "money"):
            park, whole = Decimal(0), Decimal(0)
            for key, amount in totals.items():
                parts = key.split(".")
                if parts[0] == what and parts[1] == capital:
                    whole += amount
                    if parts[2] == "1":
                        park += amount
            split[what] = (park, whole)
        for what, (park, whole), unit in (
            (_("%(kind)s签约项目数"), split["signed"], _("个")),
            (_("%(kind)s合同金额"), split["contract"], measure),
            (_("%(kind)s已核实到位资金"), split["money"], measure),
        ):
            rows.append(
                {
                    "label": what % {"kind": label},
                    "unit": unit,
                    "park": park,
                    "total": whole,
                    "share": _share(park, whole),
                }
            )
    return rows


def event_results(year: int, as_of: dt.date) -> list[dict]:
    """Per promotion event: projects signed there in the period and their contract amounts."""
    start = dt.date(year, 1, 1)
    results = {
        event.pk: {
            "event": event,
            "foreign_n": 0,
            "domestic_n": 0,
            "foreign_amount": Decimal(0),
            "domestic_amount": Decimal(0),
        }
        for event in PromotionEvent.objects.filter(held_on__range=(start, as_of))
    }
    grouped = (
        Project.objects.filter(event__isnull=False, signed_on__range=(start, as_of))
        .values("event_id", "capital_type")
        .annotate(n=Count("id"), amount=Sum("contract_amount"))
    )
    missing = {row["event_id"] for row in grouped} - set(results)
    for event in PromotionEvent.objects.filter(pk__in=missing):
        results[event.pk] = {
            "event": event,
            "foreign_n": 0,
            "domestic_n": 0,
            "foreign_amount": Decimal(0),
            "domestic_amount": Decimal(0),
        }
    for row in grouped:
        entry = results[row["event_id"]]
        entry[f"{row['capital_type']}_n"] = row["n"]
        entry[f"{row['capital_type']}_amount"] = row["amount"] or Decimal(0)
    return sorted(results.values(), key=lambda e: (e["event"].held_on, e["event"].name))


def pipeline(year: int, as_of: dt.date) -> dict:
    """Projects of the year by stage (signed in the period, or without a signing date and
    entered in it), 履约率 (signed projects that started) and 成功率; read from the tally."""
    counts: dict[str, int] = defaultdict(int)
    for key, amount in tally_period_totals(as_of).items():
        parts = key.split(".")
        if parts[0] == "signed":
            counts[parts[3]] += int(amount)
        elif parts[0] == "created":
            counts[parts[1]] += int(amount)
    stages = [
        {"stage": stage, "label": stage.label, "count": counts.get(stage.value, 0)}
        for stage in [*STAGE_ORDER, Stage.TERMINATED]
    ]
    signed = sum(counts.get(s, 0) for s in SIGNED_STAGES)
    started = sum(counts.get(s, 0) for s in (Stage.STARTED, Stage.PRODUCING))
    total = sum(counts.values())
    return {
        "stages": stages,
        "total": total,
        "signed": signed,
        "started": started,
        "fulfilment": _share(started, signed),
        "success": _share(signed, total),
    }
