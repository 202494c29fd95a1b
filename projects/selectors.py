"""Reads of projects and inflows, narrowed to what the user may see."""

from collections import defaultdict

from django.db.models import Q
from django.shortcuts import get_object_or_404

from projects.models import Inflow, InflowStatus, Project, Stage


def project_for_user(user, pk: int) -> Project:
    """The project, or 404 when it does not exist or belongs to another unit."""
    return get_object_or_404(Project.objects.for_user(user).select_related("unit", "event"), pk=pk)


def inflow_for_user(user, pk: int) -> Inflow:
    """The inflow, or 404 when it does not exist or belongs to another unit."""
    return get_object_or_404(Inflow.objects.for_user(user).select_related("project__unit"), pk=pk)


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
