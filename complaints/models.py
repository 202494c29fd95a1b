"""外商投诉: a foreign investor's complaint, from receipt by the commerce bureau to 回访.

States (complaints/services.py holds the transitions)::

    received ──assign──▶ assigned ──reply──▶ replied ──close──▶ closed ──回访 satisfied──▶ visited
                            ▲                                      │
                            └──────────── 回访 unsatisfied ────────┘  (a new deadline)
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.scoping import ScopedQuerySet
from common.validators import validate_evidence_file, validate_not_future


class Channel(models.TextChoices):
    PHONE = "phone", _("来电")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    ONLINE = "online", _("网络")
    OTHER = "other", _("其他")


class State(models.TextChoices):
    RECEIVED = "received", _("已受理，待交办")
    ASSIGNED = "assigned", _("已交办，待答复")
    REPLIED = "replied", _("单位已答复，待办结")
    CLOSED = "closed", _("已办结，待回访")
    VISITED = "visited", _("已回访，满意")


# A tuple, not a set: the order ends up in a migration.
SETTLED_STATES = (State.CLOSED, State.VISITED)
# States with a unit and a deadline running (or met).
ASSIGNED_STATES = (State.ASSIGNED, State.REPLIED, State.CLOSED, State.VISITED)


class ComplaintQuerySet(ScopedQuerySet):
    # A clerk sees the complaints assigned to their unit; a received one has no unit yet.
    unit_lookup = "unit"

    def overdue(self, today: dt.date | None = None):
        """Past the deadline and not closed."""
        today = today or timezone.localdate()
        return self.exclude(state__in=SETTLED_STATES).filter(deadline__lt=today)

    def open(self):
        return self.exclude(state__in=SETTLED_STATES)


class Complaint(models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True)
    complainant = models.CharField(_("投诉人"), max_length=100)
    # Only the commerce bureau sees these (complaints.rules: view_contact).
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact = models.CharField(
        _("其他联系方式"), max_length=200, blank=True, help_text=_("邮箱、地址等。")
    )
    enterprise = models.CharField(_("企业名称"), max_length=200)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("关联项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("投诉事项"), max_length=200)
    content = models.TextField(_("投诉内容"), max_length=4000)
    channel = models.CharField(_("受理方式"), max_length=10, choices=Channel.choices)
    received_on = models.DateField(_("受理日期"), validators=[validate_not_future])
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.RECEIVED
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    close_note = models.TextField(_("办结意见"), max_length=2000, blank=True)
    # The last 回访: None before any, True satisfied, False not (and reopened).
    last_satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("外商投诉")
        verbose_name_plural = _("外商投诉")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="complaint_unit_state"),
            models.Index(fields=["received_on", "id"], name="complaint_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=State.values),
                name="complaint_state_known",
                violation_error_message=_("投诉状态无效。"),
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values),
                name="complaint_channel_known",
                violation_error_message=_("受理方式无效。"),
            ),
            models.CheckConstraint(
                condition=Q(state=State.RECEIVED)
                | Q(unit__isnull=False, assigned_on__isnull=False, deadline__isnull=False),
                name="complaint_assigned_has_unit_and_deadline",
                violation_error_message=_("交办后的投诉必须有责任单位和办理期限。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=models.F("assigned_on")),
                name="complaint_deadline_after_assignment",
                violation_error_message=_("办理期限不能早于交办日期。"),
            ),
            models.CheckConstraint(
                condition=Q(state__in=SETTLED_STATES, closed_on__isnull=False)
                | (~Q(state__in=SETTLED_STATES) & Q(closed_on__isnull=True)),
                name="complaint_closed_has_date",
                violation_error_message=_("只有已办结的投诉有办结日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(state=State.VISITED) | Q(last_satisfied=True),
                name="complaint_visited_is_satisfied",
                violation_error_message=_("回访满意才能结案。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_settled(self) -> bool:
        return self.state in SETTLED_STATES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_settled and self.deadline is not None and self.deadline < today

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def closed_on_time(self) -> bool | None:
        if not self.is_settled or self.deadline is None:
            return None
        return self.closed_on <= self.deadline


def reply_upload_to(instance, filename: str) -> str:
    return f"complaints/{instance.complaint_id}/{filename}"


class Reply(models.Model):
    """The responsible unit's answer (办理情况), with an optional scan."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="replies"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("答复单位"), on_delete=models.PROTECT, related_name="+"
    )
    replied_on = models.DateField(_("答复日期"))
    text = models.TextField(_("办理情况"), max_length=4000)
    attachment = models.FileField(
        _("附件"),
        upload_to=reply_upload_to,
        blank=True,
        max_length=200,
        validators=[validate_evidence_file],
    )
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位答复")
        verbose_name_plural = _("单位答复")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.replied_on.isoformat()}"

    @property
    def attachment_name(self) -> str:
        if not self.attachment:
            return ""
        return self.original_name or self.attachment.name.rsplit("/", 1)[-1]


class FollowUp(models.Model):
    """回访: the bureau asks the complainant whether the matter is settled."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="followups"
    )
    visited_on = models.DateField(_("回访日期"), validators=[validate_not_future])
    satisfied = models.BooleanField(_("是否满意"))
    note = models.TextField(_("回访情况"), max_length=2000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.visited_on.isoformat()}"


class EventKind(models.TextChoices):
    RECEIVED = "received", _("受理")
    ASSIGNED = "assigned", _("交办")
    REPLIED = "replied", _("单位答复")
    CLOSED = "closed", _("办结")
    SATISFIED = "satisfied", _("回访满意")
    REOPENED = "reopened", _("回访不满意，重新交办")


class Event(models.Model):
    """The complaint's history: one row per transition (the detail page's timeline)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("环节"), max_length=10, choices=EventKind.choices)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("记录时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    note = models.TextField(_("说明"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="complaint_event_kind_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.on.isoformat()}"
