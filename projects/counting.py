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

Beside the indicators, the same machinery keeps the figures of two district pages in
targets.models.Tally (keys below), so that they read a few hundred rows at any size:

- ``signed.<capital>.<park 0/1>.<stage>``: projects by signing date (the park page's counts,
  the pipeline's signed projects); ``contract.<capital>.<park>``: their contract amounts;
- ``created.<stage>``: projects without a signing date, by the (local) day they were entered
  (the pipeline's other projects);
- ``money.<capital>.<park>``: verified inflows by arrival date (the park page's money).

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
from django.db.models.functions import TruncDate
from django.utils import timezone

from projects.models import Inflow, InflowStatus, Project, ProjectQuerySet
from targets import indicators as codes
from targets import rollups
from targets.models import CapitalType
from targets.reported import reported_daily_totals, reported_period_totals
from targets.rollups import TALLY_PREFIX, Context, Contribution, tally

ONE = Decimal(1)
COUNTED_STAGES = ProjectQuerySet.COUNTED_STAGES


def _park(flag: bool) -> str:
    return "1" if flag else "0"


def project_tally(project: Project) -> list[Contribution]:
    """A project's cells of the park and pipeline pages (every stage counts there)."""
    if project.pk is None:
        return []
    park = _park(project.is_park_project)
    if project.signed_on is None:
        day = timezone.localdate(project.created_at)
        return [tally(f"created.{project.stage}", day, ONE)]
    out = [tally(f"signed.{project.capital_type}.{park}.{project.stage}", project.signed_on, ONE)]
    if project.contract_amount:
        out.append(
            tally(
                f"contract.{project.capital_type}.{park}",
                project.signed_on,
                project.contract_amount,
            )
        )
    return out


def project_contributions(project: Project, ctx: Context) -> list[Contribution]:
    """What a project itself adds (its inflows are counted separately)."""
    if project.pk is None:
        return []
    out = project_tally(project)
    if project.stage not in COUNTED_STAGES:
        return out
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
    park = _park(project.is_park_project)
    money = tally(f"money.{project.capital_type}.{park}", inflow.arrived_on, inflow.amount)
    if project.capital_type == CapitalType.FOREIGN:
        code = codes.FDI_ACTUAL
    elif project.origin != ctx.home_province(inflow.arrived_on.year):
        code = codes.DOMESTIC_ACTUAL
    else:
        return [money]
    return [money, Contribution(project.unit_id, code, inflow.arrived_on, inflow.amount)]


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


def raw_tally(projects, verified_inflows, year: int | None = None) -> dict[tuple, Decimal]:
    """The Tally cells straight from the records, as (0, "tally:<key>", day) → amount.

    Takes the querysets so that a migration can pass its historical models."""
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    signed = projects.filter(signed_on__isnull=False)
    unsigned = projects.filter(signed_on__isnull=True).annotate(day=TruncDate("created_at"))
    if year is not None:
        signed = signed.filter(signed_on__year=year)
        unsigned = unsigned.filter(day__year=year)
        verified_inflows = verified_inflows.filter(arrived_on__year=year)
    for row in signed.values("capital_type", "is_park_project", "stage", "signed_on").annotate(
        n=Count("id"), total=Sum("contract_amount")
    ):
        kind = f"{row['capital_type']}.{_park(row['is_park_project'])}"
        day = row["signed_on"]
        out[(0, f"{TALLY_PREFIX}signed.{kind}.{row['stage']}", day)] += Decimal(row["n"])
        if row["total"]:
            out[(0, f"{TALLY_PREFIX}contract.{kind}", day)] += row["total"]
    for row in unsigned.values("stage", "day").annotate(n=Count("id")):
        out[(0, f"{TALLY_PREFIX}created.{row['stage']}", row["day"])] += Decimal(row["n"])
    for row in verified_inflows.values(
        "project__capital_type", "project__is_park_project", "arrived_on"
    ).annotate(total=Sum("amount")):
        kind = f"{row['project__capital_type']}.{_park(row['project__is_park_project'])}"
        out[(0, f"{TALLY_PREFIX}money.{kind}", row["arrived_on"])] += row["total"]
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
    out.update(reported_period_totals(start, end))  # 报送: their own indicator codes
    return out


@transaction.atomic
def rebuild(year: int | None = None) -> int:
    """Recompute the rollup from the records (all years, or one); returns rows written."""
    ctx = Context()
    daily = raw_daily_totals(ctx, year=year)
    daily.update(raw_tally(Project.objects.all(), Inflow.objects.counted(), year=year))
    # Reported figures (报送): their own codes, so no key collides with the ones above.
    daily.update(reported_daily_totals(year=year))
    return rollups.replace(daily, ctx, year=year)
