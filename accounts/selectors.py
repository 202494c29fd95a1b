"""Reads of accounts for the administrators' pages, with their security state annotated
(one query, whatever the number of accounts)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def accounts_with_state() -> QuerySet[User]:
    """Every account with ``has_totp`` (a confirmed authenticator) and ``is_locked`` (locked
    out by the login lockout now, from some address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    locked = AccessAttempt.objects.filter(
        username=OuterRef("username"),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
    )
    totp = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return User.objects.select_related("unit").annotate(
        has_totp=Exists(totp), is_locked=Exists(locked)
    )
