"""Reads of key projects, narrowed to what the user may see; each costs a fixed number of
queries whatever the number of key projects, phases, milestones or log entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from keyprojects.models import FollowUp, KeyProject, Milestone, Phase, SigningLevel

HOME_OVERDUE = 5
ZERO = Decimal(0)


def _sum_of(field: str):
    return Coalesce(
        Subquery(
            Phase.objects.filter(key_project=OuterRef("pk"))
            .order_by()
            .values("key_project")
            .annotate(total=Sum(field))
            .values("total")
        ),
        ZERO,
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def board_queryset(today: dt.date):
    """Key projects with their phases' planned and actual investment, their overdue
    milestones and the date of the last follow-up, as subqueries (no join fans out)."""
    overdue = (
        Milestone.objects.filter(key_project=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)
        .order_by()
        .values("key_project")
        .annotate(n=Count("id"))
        .values("n")
    )
    last_entry = (
        FollowUp.objects.filter(key_project=OuterRef("pk"))
        .order_by()
        .values("key_project")
        .annotate(last=Max("happened_on"))
        .values("last")
    )
    return KeyProject.objects.select_related("project", "unit").annotate(
        # 省级 before 市级 before 区级 (the codes' alphabetical order is not the ranking).
        level_rank=Case(
            *[When(level=level, then=rank) for rank, level in enumerate(SigningLevel.values)],
            output_field=IntegerField(),
        ),
        planned_total=_sum_of("planned_investment"),
        actual_total=_sum_of("actual_investment"),
        overdue_count=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
        last_follow_up=Subquery(last_entry),
    )


def key_project_for_user(user, pk: int) -> KeyProject:
    """The key project, or 404 when it does not exist or another unit is responsible."""
    return get_object_or_404(
        KeyProject.objects.for_user(user).select_related("project__unit", "unit"), pk=pk
    )


def phase_for_user(user, pk: int) -> Phase:
    return get_object_or_404(
        Phase.objects.filter(key_project__in=KeyProject.objects.for_user(user)).select_related(
            "key_project__project"
        ),
        pk=pk,
    )


def milestone_for_user(user, pk: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.for_user(user).select_related("key_project__project"), pk=pk
    )


def key_project_detail(key_project: KeyProject, today: dt.date) -> dict:
    """Phases with their totals, milestones marked overdue, and the log (newest first)."""
    phases = list(key_project.phases.order_by("number"))
    milestones = list(key_project.milestones.select_related("done_by").order_by("due_on", "id"))
    for milestone in milestones:
        milestone.overdue = milestone.is_overdue(today)
    planned = sum((p.planned_investment for p in phases), ZERO)
    actual = sum((p.actual_investment or ZERO for p in phases), ZERO)
    return {
        "phases": phases,
        "planned_total": planned,
        "actual_total": actual,
        "actual_share": actual / planned if planned else None,
        "milestones": milestones,
        "overdue_count": sum(1 for m in milestones if m.overdue),
        "follow_ups": list(key_project.follow_ups.select_related("author")),
    }


def project_section(project, today: dt.date) -> KeyProject | None:
    """The project's key-project record (listed or not), for the project page's section;
    the project page is already scoped to the user."""
    return (
        KeyProject.objects.filter(project=project)
        .annotate(
            overdue_count=Count(
                "milestones",
                filter=Q(milestones__done_on__isnull=True) & Q(milestones__due_on__lt=today),
            )
        )
        .first()
    )


def leader_card(user, today: dt.date) -> dict:
    """Leader's home: listed key projects by signing level, and the overdue milestones
    (the first few by deadline, and how many in all). Three queries."""
    visible = KeyProject.objects.for_user(user).listed()
    by_level = dict(visible.order_by().values_list("level").annotate(n=Count("id")))
    levels = [
        {"level": level, "label": label, "count": by_level.get(level, 0)}
        for level, label in SigningLevel.choices
    ]
    overdue = Milestone.objects.for_user(user).overdue(today)
    shown = list(
        overdue.select_related("key_project__project", "key_project__unit").order_by(
            "due_on", "id"
        )[:HOME_OVERDUE]
    )
    for milestone in shown:
        milestone.days_late = (today - milestone.due_on).days
    return {
        "levels": levels,
        "total": sum(row["count"] for row in levels),
        "overdue": shown,
        "overdue_count": overdue.count(),
    }
