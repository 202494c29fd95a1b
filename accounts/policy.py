"""The identity policy (等保 2.0 身份鉴别): who needs a second factor, whose password must
change now. Pure questions about a user and the settings; the gate middleware asks them.

Switches (README, "Security"): PORTAL_REQUIRE_SECOND_FACTOR, PORTAL_FORCE_PASSWORD_CHANGE
and PASSWORD_EXPIRY_DAYS (0 = never) are on in production and off elsewhere, so the demo
needs no phone.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from common.permissions import has_rule

# The migration that added password_changed_at: when it ran is the latest possible date of
# any password set before it.
UPGRADE_MIGRATION = ("accounts", "0003_security_controls")


def needs_second_factor(user) -> bool:
    """District-wide roles and administrators (the rule accounts.use_second_factor), and
    superusers (the Django admin), prove a second factor."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return has_rule(user, "accounts.use_second_factor") or user.is_superuser


def second_factor_required(user) -> bool:
    """The setting is on and this user is one who must prove a second factor."""
    return settings.PORTAL_REQUIRE_SECOND_FACTOR and needs_second_factor(user)


_upgrade: list[datetime.datetime] = []  # read once per process


def _upgrade_time() -> datetime.datetime | None:
    if not _upgrade:
        app, name = UPGRADE_MIGRATION
        row = MigrationRecorder.Migration.objects.filter(app=app, name=name).first()
        if row is None:
            return None
        _upgrade.append(row.applied)
    return _upgrade[0]


def password_set_at(user) -> datetime.datetime:
    """When the password was set; for an account older than the field (NULL, unknown), the
    upgrade that added it, so that its clock starts then and not at an invented date."""
    if user.password_changed_at is not None:
        return user.password_changed_at
    return _upgrade_time() or timezone.now()


def password_expired(user, now: datetime.datetime | None = None) -> bool:
    days = settings.PASSWORD_EXPIRY_DAYS
    if not days:
        return False
    now = now or timezone.now()
    return now - password_set_at(user) >= datetime.timedelta(days=days)


def password_change_due(user) -> str:
    """Why the user must change the password before anything else ("" when not)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if settings.PORTAL_FORCE_PASSWORD_CHANGE and user.must_change_password:
        return "one_time"
    if password_expired(user):
        return "expired"
    return ""
