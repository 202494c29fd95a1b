"""Role fixtures: a clerk of unit A, a clerk of unit B, and one account per district role."""

import pytest
from django.test import Client

from common.roles import Role
from tests.factories import ClerkFactory, UnitFactory, UserFactory

PASSWORD = "correct-horse-9"
ROLE_NAMES = ("anonymous", "clerk", "other_clerk", "commerce", "finance", "leadership")


@pytest.fixture
def unit_a(db):
    return UnitFactory(code="A01", name="甲镇")


@pytest.fixture
def unit_b(db):
    return UnitFactory(code="B01", name="乙镇")


@pytest.fixture
def clerk(unit_a):
    return ClerkFactory(username="clerk_a", unit=unit_a)


@pytest.fixture
def other_clerk(unit_b):
    return ClerkFactory(username="clerk_b", unit=unit_b)


@pytest.fixture
def commerce(db):
    return UserFactory(username="commerce", role=Role.COMMERCE)


@pytest.fixture
def finance(db):
    return UserFactory(username="finance", role=Role.FINANCE)


@pytest.fixture
def leadership(db):
    return UserFactory(username="leader", role=Role.LEADERSHIP)


@pytest.fixture
def users(clerk, other_clerk, commerce, finance, leadership):
    return {
        "anonymous": None,
        "clerk": clerk,
        "other_clerk": other_clerk,
        "commerce": commerce,
        "finance": finance,
        "leadership": leadership,
    }


@pytest.fixture
def client_as(users):
    """``client_as("commerce")`` → a test client logged in as that role (or anonymous)."""

    def make(role_name: str) -> Client:
        client = Client()
        user = users[role_name]
        if user is not None:
            client.force_login(user)
        return client

    return make
