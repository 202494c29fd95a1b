"""Fixtures of the referral-reward tests: a year's rule, a signed project of unit A with its
first referrer, and a producing one with tax on record."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from common.roles import Role
from projects.models import StageChange
from rewards import services
from tests.factories import ProjectFactory, UserFactory
from tests.rewards.factories import ReferrerFactory, TaxRecordFactory, make_rule


def set_production(project, on: datetime.date) -> None:
    """Move the project to 投产 as of ``on``: its 投产日期 is what dates production (second
    release; the stage log only says when someone recorded it)."""
    project.stage = "producing"
    project.produced_on = on
    project.save()
    change = StageChange.objects.create(project=project, from_stage="signed", to_stage="producing")
    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))
    StageChange.objects.filter(pk=change.pk).update(changed_at=moment)


@pytest.fixture
def rule_2026(db):
    return make_rule(2026)


@pytest.fixture
def referrer(db):
    return ReferrerFactory(
        name="李四", id_number="430102198001031234", bank_account="6222020200112233"
    )


@pytest.fixture
def signed_project(project_a):
    """Unit A's project, signed 2026-01-10, registered capital 3,500 万元."""
    project_a.registered_capital = Decimal("3500")
    project_a.investor = "深圳某电子有限公司"
    project_a.save()
    return project_a


@pytest.fixture
def linked_project(signed_project, referrer, clerk, rule_2026):
    services.project_referrer_create(user=clerk, project=signed_project, referrer=referrer)
    return signed_project


@pytest.fixture
def producing_project(linked_project):
    """The linked project in production since 2026-03-01, with 120 万元 of 2026 tax recorded."""
    set_production(linked_project, datetime.date(2026, 3, 1))
    TaxRecordFactory(project=linked_project, year=2026, local_retained_tax=Decimal("120"))
    return linked_project


@pytest.fixture
def project_2025(unit_a, clerk, db):
    """A project signed in 2025 under a 2025 rule, producing since 2025-06-01, with tax for
    2025 (120 万元) and 2026 (100 万元)."""
    make_rule(2025)
    project = ProjectFactory(
        code="A-2025-009",
        unit=unit_a,
        signed_on=datetime.date(2025, 3, 1),
        registered_capital=Decimal("800"),
        investor="广州某机械有限公司",
    )
    services.project_referrer_create(
        user=clerk,
        project=project,
        referrer=ReferrerFactory(name="赵六", registered_on=datetime.date(2025, 1, 5)),
    )
    set_production(project, datetime.date(2025, 6, 1))
    TaxRecordFactory(project=project, year=2025, local_retained_tax=Decimal("120"))
    TaxRecordFactory(project=project, year=2026, local_retained_tax=Decimal("100"))
    return project


@pytest.fixture
def cashier(db):
    """A second finance officer: no account performs two consecutive steps of one claim."""
    return UserFactory(username="cashier", role=Role.FINANCE)


@pytest.fixture
def reviewer(db):
    """A second commerce-bureau officer, to review what a colleague filed."""
    return UserFactory(username="reviewer", role=Role.COMMERCE)
