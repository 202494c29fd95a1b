"""What counts toward the indicators: projects' own rule, fed to targets' rollup.

targets owns the rollup and its machinery (targets.rollups: contributions, deltas, applying
them under the same transaction) and knows nothing of projects; this module says which
records count, for how much, on which day (DOMAIN.md):

- fdi_actual: verified inflows of foreign projects, by arrival date;
- domestic_actual: verified inflows of domestic projects whose origin is not the year's
  home province, by arrival date;
- fdi_contract / foreign_projects: contract amount / count of foreign projects, by
  approval date;
- domestic_projects: count of domestic projects from outside the home province, by
  signing date.

A project counts once it has reached signing (``Project.objects.counted()``; terminated
projects keep counting: they were signed or approved in that year); inflows count only while
verified (``Inflow.objects.counted()``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum

from projects.models import Inflow, InflowStatus, Project, ProjectQuerySet
from targets import indicators as codes
from targets import rollups
from targets.models import CapitalType
from targets.rollups import Context, Contribution

ONE = Decimal(1)
COUNTED_STAGES = ProjectQuerySet.COUNTED_STAGES


def project_contributions(project: Project, ctx: Context) -> list[Contribution]:
    """What a project itself adds (its inflows are counted separately)."""
    if project.pk is None or project.stage not in COUNTED_STAGES:
        return []
    out = []
    if project.capital_type == CapitalType.FOREIGN and project.approved_on:
        out.append(Contribution(project.unit_id, codes.FOREIGN_PROJECTS, project.approved_on, ONE))
        if project.contract_amount:
            out.append(
                Contribution(
                    project.unit_id,
                    codes.FDI_CONTRACT,
                    project.approved_on,
                    project.contract_amount,
                )
            )
    elif (
        project.capital_type == CapitalType.DOMESTIC
        and project.signed_on
        and project.origin != ctx.home_province(project.signed_on.year)
    ):
        out.append(Contribution(project.unit_id, codes.DOMESTIC_PROJECTS, project.signed_on, ONE))
    return out


def inflow_contributions(inflow: Inflow, project: Project, ctx: Context) -> list[Contribution]:
    """What a verified inflow adds; nothing while pending, returned or voided."""
    if inflow.pk is None or inflow.status != InflowStatus.VERIFIED:
        return []
    if project.capital_type == CapitalType.FOREIGN:
        return [Contribution(project.unit_id, codes.FDI_ACTUAL, inflow.arrived_on, inflow.amount)]
    if project.origin != ctx.home_province(inflow.arrived_on.year):
        return [
            Contribution(project.unit_id, codes.DOMESTIC_ACTUAL, inflow.arrived_on, inflow.amount)
        ]
    return []


def project_with_inflows(project: Project, ctx: Context) -> list[Contribution]:
    """A project's own contributions plus those of all its verified inflows."""
    out = project_contributions(project, ctx)
    if project.pk is not None:
        for inflow in project.inflows.counted().only(
            "id", "status", "arrived_on", "amount", "project_id"
        ):
            out.extend(inflow_contributions(inflow, project, ctx))
    return out


def raw_daily_totals(ctx: Context, year: int | None = None) -> dict[tuple, Decimal]:
    """(unit id, indicator code, day) → amount, straight from the records (for rebuilds)."""
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    inflows = Inflow.objects.counted()
    projects = Project.objects.counted()
    if year is not None:
        inflows = inflows.filter(arrived_on__year=year)
    for row in (
        inflows.filter(project__capital_type=CapitalType.FOREIGN)
        .values("project__unit_id", "arrived_on")
        .annotate(total=Sum("amount"))
    ):
        out[(row["project__unit_id"], codes.FDI_ACTUAL, row["arrived_on"])] += row["total"]
    for row in (
        inflows.filter(project__capital_type=CapitalType.DOMESTIC)
        .values("project__unit_id", "arrived_on", "project__origin")
        .annotate(total=Sum("amount"))
    ):
        day = row["arrived_on"]
        if row["project__origin"] != ctx.home_province(day.year):
            out[(row["project__unit_id"], codes.DOMESTIC_ACTUAL, day)] += row["total"]
    foreign = projects.filter(capital_type=CapitalType.FOREIGN, approved_on__isnull=False)
    if year is not None:
        foreign = foreign.filter(approved_on__year=year)
    for row in foreign.values("unit_id", "approved_on").annotate(
        n=Count("id"), total=Sum("contract_amount")
    ):
        out[(row["unit_id"], codes.FOREIGN_PROJECTS, row["approved_on"])] += Decimal(row["n"])
        if row["total"]:
            out[(row["unit_id"], codes.FDI_CONTRACT, row["approved_on"])] += row["total"]
    domestic = projects.filter(capital_type=CapitalType.DOMESTIC, signed_on__isnull=False)
    if year is not None:
        domestic = domestic.filter(signed_on__year=year)
    for row in domestic.values("unit_id", "signed_on", "origin").annotate(n=Count("id")):
        day = row["signed_on"]
        if row["origin"] != ctx.home_province(day.year):
            out[(row["unit_id"], codes.DOMESTIC_PROJECTS, day)] += Decimal(row["n"])
    return {key: amount for key, amount in out.items() if amount}


def raw_period_totals(start: dt.date, end: dt.date, home_province: str) -> dict[tuple, Decimal]:
    """(unit id, indicator code) → amount over [start, end], aggregated over the raw records.

    The dashboard reads the rollup instead; this is the reference it must agree with, and
    the "bare aggregate" the benchmark compares against.
    """
    out: dict[tuple, Decimal] = {}
    inflows = Inflow.objects.counted().filter(arrived_on__range=(start, end))
    for row in (
        inflows.values("project__unit_id", "project__capital_type")
        .filter(~Q(project__capital_type=CapitalType.DOMESTIC) | ~Q(project__origin=home_province))
        .annotate(total=Sum("amount"))
    ):
        code = (
            codes.FDI_ACTUAL
            if row["project__capital_type"] == CapitalType.FOREIGN
            else codes.DOMESTIC_ACTUAL
        )
        out[(row["project__unit_id"], code)] = row["total"]
    projects = Project.objects.counted()
    for row in (
        projects.filter(capital_type=CapitalType.FOREIGN, approved_on__range=(start, end))
        .values("unit_id")
        .annotate(n=Count("id"), total=Sum("contract_amount"))
    ):
        out[(row["unit_id"], codes.FOREIGN_PROJECTS)] = Decimal(row["n"])
        if row["total"]:
            out[(row["unit_id"], codes.FDI_CONTRACT)] = row["total"]
    for row in (
        projects.filter(capital_type=CapitalType.DOMESTIC, signed_on__range=(start, end))
        .exclude(origin=home_province)
        .values("unit_id")
        .annotate(n=Count("id"))
    ):
        out[(row["unit_id"], codes.DOMESTIC_PROJECTS)] = Decimal(row["n"])
    return out


@transaction.atomic
def rebuild(year: int | None = None) -> int:
    """Recompute the rollup from the records (all years, or one); returns rows written."""
    ctx = Context()
    return rollups.replace(raw_daily_totals(ctx, year=year), ctx, year=year)
