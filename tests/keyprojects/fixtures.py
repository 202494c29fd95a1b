"""Fixtures the permission matrix and the English-pages walk need (imported by those test
modules; user data in ASCII so the English walk sees only labels)."""

import datetime as dt
from decimal import Decimal

import pytest

from keyprojects import services


@pytest.fixture
def key_project_a(project_a, commerce):
    """Unit A's project as a provincial-level key project, with a phase, an overdue
    milestone and a follow-up entry."""
    key_project = services.key_project_create(
        user=commerce,
        project=project_a,
        level="provincial",
        leader_name="Li Ming",
        leader_post="Deputy Head",
    )
    services.phase_create(
        user=commerce,
        key_project=key_project,
        data={"number": 1, "name": "Phase 1", "planned_investment": Decimal("45000")},
    )
    services.milestone_create(
        user=commerce,
        key_project=key_project,
        data={"kind": "start", "title": "", "due_on": dt.date(2026, 3, 1)},
    )
    services.follow_up_add(
        user=commerce,
        key_project=key_project,
        happened_on=dt.date(2026, 2, 1),
        summary="Site visit",
        next_step="Land approval",
    )
    return key_project


@pytest.fixture
def key_phase_a(key_project_a):
    return key_project_a.phases.get()


@pytest.fixture
def key_milestone_a(key_project_a):
    return key_project_a.milestones.get()
