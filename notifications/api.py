"""The one way to remind someone: ``notify(users, kind=…, cause=…, title=…, url=…)``.

Idempotent: a user gets one reminder per cause (a unique constraint), so the daily
``send_reminders`` and a service that reminds on an event may run any number of times.
E-mail, for users with an address, is queued after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from notifications.kinds import TITLES
from notifications.models import Notification
from notifications.tasks import email_notification


def notify(users: Iterable, *, kind: str, cause: str, params: dict | None = None, url: str = ""):
    """Remind each active user once for ``cause``; returns the reminders created now.

    ``kind`` names the text (notifications.kinds.TITLES), ``params`` fill it in."""
    if kind not in TITLES:
        raise ValueError(f"unknown reminder kind {kind!r}")
    params = {key: str(value) for key, value in (params or {}).items()}
    created = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        if Notification.objects.filter(user=user, cause=cause).exists():
            continue
        try:
            with transaction.atomic():  # a concurrent run may have just made it
                notification = Notification.objects.create(
                    user=user, kind=kind, cause=cause[:200], params=params, url=url[:300]
                )  # fmt: skip
        except IntegrityError:
            continue
        created.append(notification)
        if user.email:
            transaction.on_commit(
                lambda pk=notification.pk: email_notification.enqueue(notification_id=pk)
            )
    return created


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
