"""Reads of projects and inflows, narrowed to what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
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
from targets import report_cache
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
    entered in it); read from the tally. 履约率 and 成功率 are :func:`fulfilment_rates`."""
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
    return {
        "stages": stages,
        "total": sum(counts.values()),
        "signed": sum(counts.get(s, 0) for s in SIGNED_STAGES),
    }


@dataclass
class Fulfilment:
    """履约率 and 成功率 of one unit (or of the district): counts and the two shares."""

    signed: int = 0
    started: int = 0
    produced: int = 0
    undated: int = 0  # at 开工/投产 by its stage, but without the date: not counted as started
    unit_id: int | None = None
    unit_name: str = ""

    @property
    def fulfilment(self) -> Decimal | None:
        return _share(Decimal(self.started), Decimal(self.signed))

    @property
    def success(self) -> Decimal | None:
        return _share(Decimal(self.produced), Decimal(self.signed))

    def add(self, other: Fulfilment) -> None:
        self.signed += other.signed
        self.started += other.started
        self.produced += other.produced
        self.undated += other.undated


def fulfilment_rates(year: int, as_of: dt.date) -> dict:
    """:func:`read_fulfilment_rates`, kept while the projects stand (targets.report_cache:
    every write to the projects moves its counter)."""
    return report_cache.cached(
        ("fulfilment", year, as_of),
        lambda: read_fulfilment_rates(year, as_of),
        counter=report_cache.PROJECTS,
    )


def read_fulfilment_rates(year: int, as_of: dt.date) -> dict:
    """履约率 and 成功率 per unit and for the district, from the projects' real 开工日期 and
    投产日期 (never from the stage alone: dates nobody entered are not guessed, DOMAIN.md).

    - Denominator (签约项目): projects whose 签约日期 falls from 1 January of ``year`` to
      ``as_of``, whatever their stage now — a project later 终止 stays in it (a signed
      contract that was not kept is what 履约率 measures); projects withdrawn as 重复统计
      are left out (they are another unit's project).
    - 履约率 = those of them with a 开工日期 on or before ``as_of`` ÷ 签约项目.
    - 成功率 = those of them with a 投产日期 on or before ``as_of`` ÷ 签约项目.
    - No signed project: the rate is None (shown as —), never 0 %.
    - ``undated``: projects of the denominator whose stage says 开工 or 投产 but that carry no
      开工日期 (or, at 投产, no 投产日期); they count as not (yet) started or producing, and the
      page lists how many so that the dates get entered.

    One aggregate query grouped by unit (over the signed_on index), whatever the number of
    projects. Returns ``{"district": Fulfilment, "units": [Fulfilment, …]}``, units in roster
    order. The 1–N月 export can call it with the report's year and as-of date.
    """
    start = dt.date(year, 1, 1)
    started = Q(started_on__isnull=False, started_on__lte=as_of)
    produced = Q(produced_on__isnull=False, produced_on__lte=as_of)
    undated = (Q(stage=Stage.STARTED) & Q(started_on__isnull=True)) | (
        Q(stage=Stage.PRODUCING) & (Q(started_on__isnull=True) | Q(produced_on__isnull=True))
    )
    rows = (
        Project.objects.filter(signed_on__range=(start, as_of))
        .exclude(stage=Stage.WITHDRAWN)
        .values("unit_id", "unit__name", "unit__display_order", "unit__code")
        .annotate(
            n=Count("id"),
            n_started=Count("id", filter=started),
            n_produced=Count("id", filter=produced),
            n_undated=Count("id", filter=undated),
        )
        .order_by("unit__display_order", "unit__code")
    )
    district = Fulfilment()
    units = []
    for row in rows:
        unit = Fulfilment(
            signed=row["n"],
            started=row["n_started"],
            produced=row["n_produced"],
            undated=row["n_undated"],
            unit_id=row["unit_id"],
            unit_name=row["unit__name"],
        )
        district.add(unit)
        units.append(unit)
    return {"district": district, "units": units}
