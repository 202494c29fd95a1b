"""The security audit log (安全审计): one append-only table whose rows are chained by hash.

Each row carries the SHA-256 of its own content and of the row before it, so changing,
inserting or deleting a row in the middle breaks the chain at that point, and
``audit.chain.verify`` names the first record that no longer fits. Rows are written only
through :func:`audit.events.record`; nothing updates them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("事件"), max_length=40, db_index=True)
    # The account as it was (the login name survives the account); None for the command line.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.CharField(_("操作人"), max_length=150)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.TextField(_("详情"), blank=True)
    success = models.BooleanField(_("成功"), default=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("安全审计记录")
        verbose_name_plural = _("安全审计记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.kind}"


class AuditHead(models.Model):
    """One row: the hash of the newest event, locked while an event is appended so that two
    writers never chain onto the same predecessor."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return self.last_hash
