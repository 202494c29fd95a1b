"""Every write to an account: creation, role and unit, enabling, passwords, lockouts and
second factors. Each checks the policy (accounts/rules.py) and records an audit event
(kind ``account`` or ``otp``), so the pages, the admin and the commands cannot go around it.
"""

from __future__ import annotations

import secrets
import string

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit import events
from common.permissions import require
from common.roles import ADMIN_ROLES, Role
from units.models import Unit

ONE_TIME_PASSWORD_LENGTH = 12
# Symbols that survive being read aloud or copied from a screen.
_SYMBOLS = "!@#%+-=?"
_ALPHABET = string.ascii_letters + string.digits + _SYMBOLS


def one_time_password() -> str:
    """A random password that passes the complexity rule (one of each class, 12 long)."""
    picks = [
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.digits),
        secrets.choice(_SYMBOLS),
    ]
    picks += [secrets.choice(_ALPHABET) for _ in range(ONE_TIME_PASSWORD_LENGTH - len(picks))]
    secrets.SystemRandom().shuffle(picks)
    return "".join(picks)


def _label(user: User) -> str:
    return f"{user.username}（{user.get_role_display() or '-'}）"


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    full_name: str = "",
    is_superuser: bool = False,
) -> tuple[User, bool]:
    """Create the account or bring it back to the given role, unit and password (the demo
    accounts; a command, so nothing forces a change of this password)."""
    user, created = User.objects.get_or_create(username=username)
    user.role = role
    user.unit = unit if role == Role.UNIT_STAFF else None
    user.last_name = full_name
    user.is_active = True
    user.is_staff = is_superuser
    user.is_superuser = is_superuser
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.full_clean(exclude=["password"])
    user.save()
    return user, created


def _refuse_administrator_roles(actor: User | None, *roles: str) -> None:
    """三权分立: a system administrator manages business accounts only. Administrator
    accounts (the three roles) are made and changed by the deployment (a superuser in the
    Django admin, or a command), so no administrator can give themselves a second hat."""
    if actor is not None and any(role in ADMIN_ROLES for role in roles):
        raise ValidationError(
            _("管理员账号（系统、安全、审计管理员）只能由部署人员在 Django 管理后台设置。")
        )


def _check_role_and_unit(role: str, unit: Unit | None) -> None:
    if role == Role.UNIT_STAFF and unit is None:
        raise ValidationError({"unit": _("单位填报员必须选择所属单位。")})
    if role != Role.UNIT_STAFF and unit is not None:
        raise ValidationError({"unit": _("只有单位填报员属于某个单位，其他角色请不要选择单位。")})


@transaction.atomic
def account_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    role: str,
    unit: Unit | None = None,
    request=None,
) -> tuple[User, str]:
    """A new account with a one-time password (returned once, never stored in clear), to be
    changed at the first login."""
    require(actor, "accounts.manage_accounts")
    _refuse_administrator_roles(actor, role)
    _check_role_and_unit(role, unit)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名 %(name)s 已被使用。") % {"name": username}})
    password = one_time_password()
    user = User(username=username, last_name=full_name, role=role, unit=unit)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.full_clean(exclude=["password"])
    user.save()
    events.record(
        "account",
        user=actor,
        request=request,
        target=_label(user),
        detail=f"创建账号；单位：{unit.name if unit else '-'}",
    )
    return user, password


def _refuse_own_or_superuser(actor: User | None, user: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("不能在这里更改自己的账号，请由另一位系统管理员操作。"))
    if user.is_superuser:
        raise ValidationError(_("超级用户只能由部署人员在命令行或 Django 管理后台维护。"))
    _refuse_administrator_roles(actor, user.role)


@transaction.atomic
def account_update(
    *,
    actor: User | None,
    user: User,
    full_name: str,
    role: str,
    unit: Unit | None = None,
    request=None,
) -> bool:
    """Change the name, role or unit; False when nothing changed."""
    require(actor, "accounts.manage_accounts")
    _refuse_own_or_superuser(actor, user)
    _refuse_administrator_roles(actor, role)
    _check_role_and_unit(role, unit)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = (user.last_name, user.role, user.unit_id)
    if before == (full_name, role, unit.pk if unit else None):
        return False
    old_label = _label(user)
    user.last_name, user.role, user.unit = full_name, role, unit
    user.full_clean(exclude=["password"])
    user.save()
    events.record(
        "account",
        user=actor,
        request=request,
        target=user.username,
        detail=f"修改账号：{old_label} → {_label(user)}；单位：{unit.name if unit else '-'}",
    )
    return True


@transaction.atomic
def account_set_active(*, actor: User | None, user: User, active: bool, request=None) -> bool:
    """Enable or disable an account (a disabled account cannot log in); False if unchanged."""
    require(actor, "accounts.manage_accounts")
    _refuse_own_or_superuser(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    events.record(
        "account",
        user=actor,
        request=request,
        target=_label(user),
        detail="启用账号" if active else "停用账号",
    )
    return True


@transaction.atomic
def account_reset_password(*, actor: User | None, user: User, request=None) -> str:
    """A new one-time password (returned once), to be changed at the next login."""
    require(actor, "accounts.manage_accounts")
    _refuse_own_or_superuser(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    password = one_time_password()
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    events.record(
        "account", user=actor, request=request, target=_label(user), detail="重置密码（一次性密码）"
    )
    return password


@transaction.atomic
def password_changed(*, user: User, request=None) -> None:
    """The user chose a new password (already set on ``user``): save it, stamp the time and
    lift a forced change."""
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    events.record("account", user=user, request=request, target=_label(user), detail="本人修改密码")


def locked_usernames() -> set[str]:
    """Usernames locked out now (from some address) by the login lockout (django-axes)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


@transaction.atomic
def account_unlock(*, actor: User | None, user: User, request=None) -> int:
    """Clear the failed logins of the account (every address); the number of records removed."""
    require(actor, "accounts.manage_security")
    removed = axes_reset(username=user.username)
    events.record(
        "account",
        user=actor,
        request=request,
        target=_label(user),
        detail=f"解除登录锁定（清除 {removed} 条失败记录）",
    )
    return removed


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def second_factor_reset(*, actor: User | None, user: User, request=None) -> int:
    """Remove the account's authenticator and recovery codes: at the next login it enrols
    again. The number of devices removed."""
    require(actor, "accounts.manage_security")
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        _total, per_model = model.objects.filter(user=user).delete()
        removed += per_model.get(model._meta.label, 0)
    events.record(
        "otp",
        user=actor,
        request=request,
        target=_label(user),
        detail=f"安全管理员重置第二因素（移除 {removed} 项）",
    )
    return removed
