"""Passwords (等保 2.0 身份鉴别): complexity, the forced change of a one-time password, expiry."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import policy, services
from accounts.models import User
from audit.models import AuditEvent
from tests.accounts.helpers import login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

GOOD = "Zhaoshang-2026!"


@pytest.mark.parametrize(
    "password",
    ["abcdefghijk", "ABCDEFGH1!", "abcdefgh1!", "Abcdefghij!", "Abcdefghij1", "Ab1!xyz"],
)
def test_it_refuses_a_password_missing_a_class_or_too_short(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_it_accepts_a_complex_password_and_says_why_in_chinese():
    validate_password(GOOD)
    with pytest.raises(ValidationError) as error:
        validate_password("abcdefghijk1")
    assert "大写字母、小写字母、数字和符号" in " ".join(error.value.messages)


def test_one_time_passwords_pass_the_policy():
    for _ in range(50):
        validate_password(services.one_time_password())


def change(client, old, new):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_change_page_refuses_a_simple_or_the_same_password(clerk):
    client = login(clerk.username)
    simple = change(client, PASSWORD, "simple-pass-1")
    assert simple.status_code == 200
    assert "大写字母" in simple.content.decode()
    clerk.set_password(GOOD)  # a password that passes the rules, to try it again
    clerk.save()
    client = login(clerk.username, GOOD)
    same = change(client, GOOD, GOOD)
    assert same.status_code == 200
    assert "新密码不能与当前密码相同" in same.content.decode()


@override_settings(PORTAL_FORCE_PASSWORD_CHANGE=True)
def test_a_one_time_password_must_be_changed_before_any_page(clerk, system_admin):
    password = services.account_reset_password(actor=system_admin, user=clerk)
    client = login(clerk.username, password)
    for name in ("home", "projects:list"):
        response = client.get(reverse(name))
        assert response["Location"] == reverse("password_change"), name
    assert client.get(reverse("password_change")).status_code == 200
    assert change(client, password, GOOD)["Location"] == reverse("password_change_done")
    clerk.refresh_from_db()
    assert not clerk.must_change_password
    assert clerk.password_changed_at is not None
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(kind="account", detail="本人修改密码").exists()


def test_with_the_setting_off_a_one_time_password_is_not_forced(clerk, system_admin):
    password = services.account_reset_password(actor=system_admin, user=clerk)
    assert login(clerk.username, password).get(reverse("home")).status_code == 200


@override_settings(PASSWORD_EXPIRY_DAYS=90)
def test_an_expired_password_must_be_changed(clerk):
    clerk.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    clerk.save()
    client = login(clerk.username)
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    change(client, PASSWORD, GOOD)
    assert client.get(reverse("home")).status_code == 200


@override_settings(PASSWORD_EXPIRY_DAYS=90)
def test_a_recent_password_has_not_expired(clerk):
    clerk.password_changed_at = timezone.now() - datetime.timedelta(days=89)
    clerk.save()
    assert login(clerk.username).get(reverse("home")).status_code == 200


@override_settings(PASSWORD_EXPIRY_DAYS=90)
def test_an_unknown_change_date_counts_from_the_upgrade(clerk, monkeypatch):
    """NULL (an account from before the field) is "unknown": its clock starts when migration
    0003 ran, not at an invented date."""
    User.objects.filter(pk=clerk.pk).update(password_changed_at=None)
    clerk.refresh_from_db()
    upgraded = policy._upgrade_time()
    assert upgraded is not None  # the test database ran the migration
    assert policy.password_set_at(clerk) == upgraded
    assert not policy.password_expired(clerk)
    assert policy.password_expired(clerk, now=upgraded + datetime.timedelta(days=90))


def test_expiry_is_off_by_default(clerk):
    clerk.password_changed_at = timezone.now() - datetime.timedelta(days=3650)
    assert not policy.password_expired(clerk)
