"""A reminder in a user's inbox: once per person and cause (DOMAIN.md).

A cause names the kind, the object and the event (``inflow_returned:12:2`` is the second
return of inflow 12), so that each new event reminds again and nothing reminds twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.kinds import TITLES


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=40)
    cause = models.CharField(_("事由键"), max_length=200)
    # What the reminder says, as parameters of its kind's text (notifications.kinds), so that
    # it reads in the reader's language.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "cause"], name="notifications_once_per_cause")
        ]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notifications_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        text = TITLES.get(self.kind)
        if text is None:
            return self.kind
        try:
            return gettext(text) % self.params
        except (KeyError, TypeError, ValueError):
            return gettext(text)
