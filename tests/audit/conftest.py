"""The audit administrator (审计管理员) of the audit tests.

The identity work adds the role (``audit_admin``) to common.roles and the accounts table;
until it is merged the database refuses that role, so the account is stored without one and
carries the role in memory on each request (the policy reads ``user.role``). With the role
in common.roles the fixture is a plain account of that role.
"""

import pytest
from django.contrib import auth
from django.test import Client

from audit.rules import AUDIT_ADMIN_ROLE
from common.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def auditor(db):
    if AUDIT_ADMIN_ROLE in Role.values:
        return UserFactory(username="auditor", role=AUDIT_ADMIN_ROLE)
    user = UserFactory(username="auditor", role="")
    user.role = AUDIT_ADMIN_ROLE
    return user


@pytest.fixture
def auditor_client(auditor, monkeypatch):
    if AUDIT_ADMIN_ROLE not in Role.values:
        real_get_user = auth.get_user

        def get_user(request):
            user = real_get_user(request)
            if user.pk == auditor.pk:
                user.role = AUDIT_ADMIN_ROLE
            return user

        monkeypatch.setattr(auth, "get_user", get_user)
    client = Client()
    client.force_login(auditor)
    return client
