"""The audit administrator (审计管理员) of the audit tests."""

import pytest
from django.test import Client

from common.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDIT_ADMIN)


@pytest.fixture
def auditor_client(auditor):
    client = Client()
    client.force_login(auditor)
    return client
