"""The security audit log (安全审计): one append-only table whose rows are chained by hash.

Each row carries the SHA-256 of its own content and of the row before it, so changing,
inserting or deleting a row in the middle breaks the chain at that point, and
``audit.chain.verify`` names the first record that no longer fits. Rows are written only
through :func:`audit.events.record`; nothing updates them.

Append-only twice over: through the ORM a saved row refuses ``save()`` and ``delete()``, and
the manager refuses ``update()`` and ``delete()`` except on the purge path
(:func:`audit.purge.purge_before`); on PostgreSQL a trigger (migration 0002) refuses UPDATE
always and DELETE unless the purge has switched on the session setting ``audit.purge``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The PostgreSQL session setting that lets the purge delete rows (the trigger checks it).
PURGE_SETTING = "audit.purge"


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit record outside the purge path."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("安全审计记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("安全审计记录只能追加，不能删除（过期记录由 purge_audit_log 清理）。")

    def purge_delete(self) -> int:
        """The purge path's delete (audit.purge only): no cascade, one DELETE statement."""
        return self._raw_delete(self.db)

    def for_user(self, user):
        """The audit log is one district-wide record; the policy (audit.rules) decides who
        reads it at all."""
        return self


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("事件"), max_length=40, db_index=True)
    # The account as it was (the login name survives the account); None for the command line.
    # DO_NOTHING without a database constraint: the hash covers user_id, so the id stays as
    # recorded even if the account is ever deleted (accounts are disabled, not deleted).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.CharField(_("操作人"), max_length=150)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.TextField(_("详情"), blank=True)
    success = models.BooleanField(_("成功"), default=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全审计记录")
        verbose_name_plural = _("安全审计记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("安全审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("安全审计记录只能追加，不能删除（过期记录由 purge_audit_log 清理）。")


class AuditHead(models.Model):
    """One row: the hash of the newest event, locked while an event is appended so that two
    writers never chain onto the same predecessor."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return self.last_hash


class AuditCheckpoint(models.Model):
    """Where the chain starts after a purge: the oldest kept row's id and the hash it chains
    onto. ``verify_audit_log`` starts from the newest checkpoint (GENESIS without one); the
    purge event itself, written into the chain, repeats both values so that a checkpoint
    changed afterwards is found too."""

    created_at = models.DateTimeField(_("清理时间"))
    before = models.DateField(_("清理此日期以前的记录"))
    first_kept_id = models.BigIntegerField(_("保留的第一条记录"))
    previous_hash = models.CharField(max_length=64)
    purged = models.PositiveIntegerField(_("清理条数"))

    class Meta:
        verbose_name = _("审计链检查点")
        verbose_name_plural = _("审计链检查点")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.first_kept_id} {self.previous_hash}"
