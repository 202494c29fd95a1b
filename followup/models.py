"""督办单: a matter the commerce bureau puts to a unit with a deadline, and the unit's replies.

The life of one: 待回复 (opened) → 已回复 (the unit replied) → 已办结 (the bureau closed it), or
back to 退回重办 (the bureau sent it back with a reason) → 已回复 again … A reply is allowed
while it waits for the unit (待回复, 退回重办); closing and sending back while it waits for the
bureau (已回复). Overdue: past its deadline and not closed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.scoping import ScopedQuerySet
from common.validators import validate_evidence_file


class State(models.TextChoices):
    OPEN = "open", _("待回复")
    REPLIED = "replied", _("已回复")
    RETURNED = "returned", _("退回重办")
    CLOSED = "closed", _("已办结")


WAITING_FOR_UNIT = (State.OPEN, State.RETURNED)


class SupervisionQuerySet(ScopedQuerySet):
    unit_lookup = "unit"

    def overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.exclude(state=State.CLOSED).filter(deadline__lt=today)


class Supervision(models.Model):
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    matter = models.TextField(_("督办事项"), max_length=2000)
    deadline = models.DateField(_("办理期限"))
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("相关项目"), blank=True, related_name="+"
    )
    indicators = models.ManyToManyField(
        "targets.Indicator", verbose_name=_("相关指标"), blank=True, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("督办时间"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    history = HistoricalRecords()
    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=State.values), name="followup_state_valid"
            ),
            models.CheckConstraint(condition=~models.Q(matter=""), name="followup_matter_given"),
            models.CheckConstraint(
                condition=models.Q(state=State.CLOSED, closed_at__isnull=False)
                | (~models.Q(state=State.CLOSED) & models.Q(closed_at__isnull=True)),
                name="followup_closed_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="followup_state_deadline"),
            models.Index(fields=["unit", "state"], name="followup_unit_state"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("followup:detail", args=[self.pk])

    @property
    def number(self) -> str:
        """督办〔2026〕5号: the year it was opened and its number."""
        return gettext("督办〔%(year)s〕%(n)s号") % {"year": self.opened_at.year, "n": self.pk}

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.state != State.CLOSED and self.deadline < (today or timezone.localdate())


def reply_upload_to(instance, filename: str) -> str:
    return f"followup/{instance.supervision_id}/{filename}"


class Reply(models.Model):
    """The unit's answer to a 督办单 (text, and an attachment if it has one)."""

    supervision = models.ForeignKey(
        Supervision, verbose_name=_("督办单"), on_delete=models.CASCADE, related_name="replies"
    )
    text = models.TextField(_("办理情况"), max_length=4000)
    attachment = models.FileField(
        _("附件"), upload_to=reply_upload_to, blank=True, validators=[validate_evidence_file]
    )
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回复人"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    replied_at = models.DateTimeField(_("回复时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督办回复")
        verbose_name_plural = _("督办回复")
        ordering = ["replied_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="followup_reply_text"),
        ]

    def __str__(self) -> str:
        return f"{self.supervision} · {self.replied_at:%Y-%m-%d %H:%M}"
