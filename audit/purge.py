"""Removing records past the retention period without breaking the proof of the rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.events import record
from audit.models import PURGE_SETTING, AuditCheckpoint, AuditEvent, AuditHead
from audit.verify import PURGE_KIND, checkpoint_marker

# 等保 2.0 (GB/T 22239-2019 8.1.4.3): audit records are kept at least six months.
MIN_RETENTION_DAYS = 180


@dataclass
class Purged:
    count: int
    checkpoint: AuditCheckpoint | None


def retention_days() -> int:
    """The setting, refused when it is below the legal minimum."""
    days = settings.AUDIT_RETENTION_DAYS
    if days < MIN_RETENTION_DAYS:
        raise ValidationError(
            "AUDIT_RETENTION_DAYS 为 %(d)s 天，不能少于 %(m)s 天。",
            params={"d": days, "m": MIN_RETENTION_DAYS},
        )
    return days


def latest_allowed(today: dt.date | None = None) -> dt.date:
    """The latest ``before`` date a purge may use: today minus the retention period."""
    return (today or timezone.localdate()) - dt.timedelta(days=retention_days())


def purge_before(before: dt.date | None = None, *, user=None) -> Purged:
    """Delete the records written before the local day ``before`` (default: the end of the
    retention period), record the purge in the chain, and leave a checkpoint so that
    ``verify_audit_log`` starts from the oldest kept record."""
    limit = latest_allowed()
    before = before or limit
    if before > limit:
        raise ValidationError(
            "保留期至少 %(n)s 天：只能清理 %(d)s 以前的记录。",
            params={"n": retention_days(), "d": limit.isoformat()},
        )
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    with transaction.atomic():
        # The head's lock keeps writers out while the chain's start moves.
        AuditHead.objects.select_for_update().filter(pk=1).first()
        last_old = AuditEvent.objects.filter(at__lt=cutoff).order_by("-id").first()
        if last_old is None:
            return Purged(count=0, checkpoint=None)
        doomed = AuditEvent.objects.filter(id__lte=last_old.id)
        count = doomed.count()
        record(
            PURGE_KIND,
            user=user,
            target=f"{before.isoformat()}",
            detail=(
                f"清理 {before.isoformat()} 以前的 {count} 条记录；链从 "
                f"{checkpoint_marker(last_old.id, last_old.hash)} 继续"
            ),
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        deleted = doomed.purge_delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
        checkpoint = AuditCheckpoint.objects.create(
            created_at=timezone.now(),
            before=before,
            first_kept_id=last_old.id + 1,
            previous_hash=last_old.hash,
            purged=deleted,
        )
    return Purged(count=deleted, checkpoint=checkpoint)
