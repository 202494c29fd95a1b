"""Separated administration (三权分立, 等保 2.0 访问控制) and the account pages.

The permission matrix (tests/test_permissions.py) has a column per administrator; here: each
does its own job and not another's, none reads business data, and each account change lands
in the audit log."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import User
from audit.models import AuditEvent
from common import rules as common_rules
from common.roles import Role
from tests.accounts.helpers import login
from tests.conftest import PASSWORD
from tests.factories import ClerkFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMINS = ("system_admin", "security_admin", "audit_admin")
BUSINESS_PREDICATES = (
    common_rules.has_portal_role,
    common_rules.is_district_wide,
    common_rules.is_unit_editor,
    common_rules.is_caseworker,
    common_rules.is_bureau,
)


@pytest.mark.parametrize("admin", ADMINS)
def test_no_business_predicate_lets_an_administrator_in(admin, request):
    user = request.getfixturevalue(admin)
    assert not any(predicate.test(user) for predicate in BUSINESS_PREDICATES)
    assert not user.sees_all_units


def test_each_administrator_passes_only_its_own_predicate(
    system_admin, security_admin, audit_admin, commerce
):
    own = {
        common_rules.is_system_admin: system_admin,
        common_rules.is_security_admin: security_admin,
        common_rules.is_audit_admin: audit_admin,
    }
    for predicate, holder in own.items():
        assert predicate.test(holder)
        for other in (system_admin, security_admin, audit_admin, commerce):
            if other is not holder:
                assert not predicate.test(other)


@pytest.mark.parametrize("admin", ADMINS)
def test_an_administrator_reads_no_business_data(admin, request, project_a, unit_a):
    client = Client()
    client.force_login(request.getfixturevalue(admin))
    for url in (
        reverse("projects:list"),
        reverse("projects:detail", args=[project_a.pk]),
        reverse("units:detail", args=[unit_a.pk]),
        reverse("targets:dashboard"),
        reverse("rewards:referrer_list"),
        reverse("deposits:board", args=[2025]),
        reverse("projects:list") + "?export=xlsx",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("home"))["Location"] == reverse("accounts:admin_home")


@pytest.mark.parametrize(
    ("admin", "allowed"),
    [
        ("system_admin", {"create", "update", "set_active", "reset_password"}),
        ("security_admin", {"unlock", "reset_second_factor"}),
        ("audit_admin", set()),
    ],
)
def test_none_can_do_another_administrators_job(admin, allowed, request, clerk):
    client = Client()
    client.force_login(request.getfixturevalue(admin))
    for action in ("update", "set_active", "reset_password", "unlock", "reset_second_factor"):
        response = client.post(reverse(f"accounts:{action}", args=[clerk.pk]), {})
        assert (response.status_code != 403) == (action in allowed), (admin, action)
    response = client.post(reverse("accounts:create"), {})
    assert (response.status_code != 403) == ("create" in allowed)


def test_the_django_admin_is_for_superusers_only(system_admin):
    system_admin.is_staff = True
    system_admin.save()
    client = Client()
    client.force_login(system_admin)
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin's login
    root = UserFactory(username="root", role="", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("admin:index")).status_code == 200


# --- the account pages ---------------------------------------------------------------------


def test_the_system_administrator_creates_a_clerk_with_a_one_time_password(system_admin, unit_a):
    client = login(system_admin.username)
    response = client.post(
        reverse("accounts:create"),
        {
            "username": "jia_clerk",
            "full_name": "甲镇新填报员",
            "role": "unit_staff",
            "unit": unit_a.pk,
        },
    )
    account = User.objects.get(username="jia_clerk")
    assert response["Location"] == reverse("accounts:detail", args=[account.pk])
    assert account.unit == unit_a and account.must_change_password
    page = client.get(response["Location"]).content.decode()
    shown = page.split('user-select-all">', 1)[1].split("<", 1)[0]
    assert account.check_password(shown)
    # Shown once: the page no longer has it.
    assert "一次性密码（只显示这一次" not in client.get(response["Location"]).content.decode()
    event = AuditEvent.objects.get(kind="account", target__startswith="jia_clerk")
    assert event.actor == "sysadmin" and "创建账号" in event.detail
    # The new clerk logs in with it.
    assert login("jia_clerk", shown).get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": "unit_staff"}, "unit", "单位填报员必须选择所属单位"),
        ({"role": "commerce", "unit": "UNIT"}, "unit", "其他角色请不要选择单位"),
        ({"role": "commerce", "username": "clerk_a"}, "username", "已被使用"),
        ({"role": "commerce", "username": "有汉字"}, "username", "不含空格和汉字"),
    ],
)
def test_account_creation_explains_bad_input_in_chinese(
    system_admin, clerk, unit_a, data, field, message
):
    form = {"username": "new_user", "full_name": "某人", **data}
    if form.get("unit") == "UNIT":
        form["unit"] = unit_a.pk
    client = Client()
    client.force_login(system_admin)
    before = User.objects.count()
    response = client.post(reverse("accounts:create"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_disable_enable_and_reset(system_admin, clerk):
    client = Client()
    client.force_login(system_admin)
    client.post(reverse("accounts:set_active", args=[clerk.pk]), {"active": "0"})
    clerk.refresh_from_db()
    assert not clerk.is_active
    refused = Client().post(reverse("login"), {"username": clerk.username, "password": PASSWORD})
    assert refused.status_code == 200
    client.post(reverse("accounts:set_active", args=[clerk.pk]), {"active": "1"})
    clerk.refresh_from_db()
    assert clerk.is_active

    client.post(reverse("accounts:reset_password", args=[clerk.pk]))
    clerk.refresh_from_db()
    assert clerk.must_change_password and not clerk.check_password(PASSWORD)
    details = list(
        AuditEvent.objects.filter(kind="account", target__startswith="clerk_a").values_list(
            "detail", flat=True
        )
    )
    assert details == ["停用账号", "启用账号", "重置密码（一次性密码）"]


def test_role_and_unit_changes_are_recorded(system_admin, clerk, unit_b):
    client = Client()
    client.force_login(system_admin)
    client.post(
        reverse("accounts:update", args=[clerk.pk]),
        {"full_name": "乙镇填报员", "role": "unit_staff", "unit": unit_b.pk},
    )
    clerk.refresh_from_db()
    assert clerk.unit == unit_b
    client.post(reverse("accounts:update", args=[clerk.pk]), {"full_name": "x", "role": "finance"})
    clerk.refresh_from_db()
    assert clerk.role == Role.FINANCE and clerk.unit is None
    assert AuditEvent.objects.filter(kind="account", target="clerk_a").count() == 2


def test_an_administrator_cannot_change_their_own_account_or_a_superuser(system_admin):
    with pytest.raises(Exception, match="自己的账号"):
        services.account_set_active(actor=system_admin, user=system_admin, active=False)
    root = UserFactory(username="root", role="", is_superuser=True)
    client = Client()
    client.force_login(system_admin)
    response = client.post(reverse("accounts:reset_password", args=[root.pk]), follow=True)
    assert "超级用户只能由部署人员" in response.content.decode()
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_the_security_administrator_unlocks_a_locked_account(security_admin, clerk):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            reverse("login"),
            {"username": clerk.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
        )
    assert clerk.username in services.locked_usernames()
    client = Client()
    client.force_login(security_admin)
    listed = client.get(reverse("accounts:list") + "?q=clerk_a").content.decode()
    assert "锁定中" in listed
    client.post(reverse("accounts:unlock", args=[clerk.pk]))
    assert clerk.username not in services.locked_usernames()
    ok = Client().post(
        reverse("login"), {"username": clerk.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(kind="account", detail__startswith="解除登录锁定").exists()


def test_the_list_filters_by_role_unit_and_state(system_admin, clerk, other_clerk, commerce):
    client = Client()
    client.force_login(system_admin)

    def names(query):
        page = client.get(reverse("accounts:list") + query).content.decode()
        return {u for u in ("clerk_a", "clerk_b", "commerce", "sysadmin") if f">{u}<" in page}

    assert names("") == {"clerk_a", "clerk_b", "commerce", "sysadmin"}
    assert names("?role=unit_staff") == {"clerk_a", "clerk_b"}
    assert names(f"?unit={clerk.unit_id}") == {"clerk_a"}
    other_clerk.is_active = False
    other_clerk.save()
    assert names("?is_active=false") == {"clerk_b"}


def test_the_list_costs_the_same_for_many_accounts(system_admin):
    client = Client()
    client.force_login(system_admin)
    url = reverse("accounts:list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    unit = UnitFactory(code="Q01")
    for n in range(30):
        ClerkFactory(username=f"many{n}", unit=unit)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# Each administrator's answer to the account rules; business rules refuse them all.
ADMIN_RULES = {
    "accounts.view_accounts": {"system_admin", "security_admin"},
    "accounts.manage_accounts": {"system_admin"},
    "accounts.manage_security": {"security_admin"},
    "accounts.administer": {"system_admin", "security_admin", "audit_admin"},
    "accounts.use_second_factor": {"system_admin", "security_admin", "audit_admin"},
}


@pytest.mark.parametrize("admin", ADMINS)
def test_the_rules_matrix_of_the_administrators(admin, request):
    import rules

    user = request.getfixturevalue(admin)
    for perm in rules.permissions.permissions:
        app = perm.split(".", 1)[0]
        if app == "audit":
            continue  # the audit log's own rules (is_audit_admin) are tested with it
        expected = admin in ADMIN_RULES.get(perm, set())
        assert rules.has_perm(perm, user) is expected, (admin, perm)


def test_the_system_administrator_cannot_hand_out_or_touch_administrator_roles(
    system_admin, security_admin, clerk
):
    """三权分立: no administrator can give anyone (a friend's account, a new one) a second
    administrator's hat, nor disable or reset another administrator."""
    client = Client()
    client.force_login(system_admin)
    before = User.objects.count()
    response = client.post(
        reverse("accounts:create"),
        {"username": "shadow", "full_name": "x", "role": "security_admin"},
    )
    assert response.status_code == 200 and User.objects.count() == before
    with pytest.raises(Exception, match="管理员账号"):
        services.account_update(
            actor=system_admin, user=clerk, full_name="x", role=Role.AUDIT_ADMIN
        )
    for action in ("set_active", "reset_password"):
        client.post(reverse(f"accounts:{action}", args=[security_admin.pk]), {"active": "0"})
    security_admin.refresh_from_db()
    assert security_admin.is_active and security_admin.check_password(PASSWORD)
    page = client.get(reverse("accounts:detail", args=[security_admin.pk])).content.decode()
    assert "重置密码" not in page
    # The deployment (a command, user None) may.
    user, _password = services.account_create(
        actor=None, username="auditor2", full_name="x", role=Role.AUDIT_ADMIN
    )
    assert user.role == Role.AUDIT_ADMIN
