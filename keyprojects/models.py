"""Key projects (重点项目): a project the commerce bureau follows closely, with its signing
level, 包保领导, responsible unit, phases, milestones and follow-up log (DOMAIN.md "Key
projects and investor complaints")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.scoping import ScopedQuerySet
from common.validators import validate_not_future

AMOUNT = {"max_digits": 14, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"), message=_("金额不能为负数。"))]


class SigningLevel(models.TextChoices):
    PROVINCIAL = "provincial", _("省级签约")
    CITY = "city", _("市级签约")
    DISTRICT = "district", _("区级签约")


class MilestoneKind(models.TextChoices):
    START = "start", _("开工")
    PRODUCTION = "production", _("投产")
    COMPLETION = "completion", _("竣工")
    OTHER = "other", _("其他")


class KeyProjectQuerySet(ScopedQuerySet):
    # A clerk sees the key projects their unit is responsible for.
    unit_lookup = "unit"

    def listed(self):
        """Key projects the bureau has not taken off the list."""
        return self.filter(is_active=True)


class KeyProject(models.Model):
    """One project marked 重点项目 by the commerce bureau; taking it off the list keeps the
    record (is_active off), its phases, milestones and log."""

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="key_project",
    )
    is_active = models.BooleanField(_("列为重点项目"), default=True)
    level = models.CharField(_("签约层级"), max_length=12, choices=SigningLevel.choices)
    leader_name = models.CharField(_("包保领导"), max_length=50)
    leader_post = models.CharField(_("包保领导职务"), max_length=60, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="key_projects",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    designated_at = models.DateTimeField(_("认定时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = KeyProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["level", "-designated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=SigningLevel.values),
                name="keyprojects_keyproject_level_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(leader_name=""),
                name="keyprojects_keyproject_has_leader",
                violation_error_message=_("必须填写包保领导。"),
            ),
        ]
        indexes = [
            # The board: listed key projects by level, all and one unit's.
            models.Index(fields=["is_active", "level", "-id"], name="keyprojects_board"),
            models.Index(fields=["unit", "is_active", "-id"], name="keyprojects_unit_board"),
        ]

    def __str__(self) -> str:
        return self.project.name

    def get_absolute_url(self) -> str:
        return reverse("keyprojects:detail", args=[self.pk])

    @property
    def leader(self) -> str:
        if not self.leader_post:
            return self.leader_name
        return gettext("%(name)s（%(post)s）") % {
            "name": self.leader_name,
            "post": self.leader_post,
        }


class Phase(models.Model):
    """A phase (一期, 二期 …) with its planned and actual investment and dates."""

    key_project = models.ForeignKey(
        KeyProject, verbose_name=_("重点项目"), on_delete=models.CASCADE, related_name="phases"
    )
    number = models.PositiveSmallIntegerField(_("期次"))
    name = models.CharField(_("名称"), max_length=60)
    planned_investment = models.DecimalField(
        _("计划投资（万元）"), validators=NOT_NEGATIVE, **AMOUNT
    )
    actual_investment = models.DecimalField(
        _("实际完成投资（万元）"), null=True, blank=True, validators=NOT_NEGATIVE, **AMOUNT
    )
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_finish = models.DateField(_("计划竣工日期"), null=True, blank=True)
    actual_start = models.DateField(
        _("实际开工日期"), null=True, blank=True, validators=[validate_not_future]
    )
    actual_finish = models.DateField(
        _("实际竣工日期"), null=True, blank=True, validators=[validate_not_future]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目分期")
        verbose_name_plural = _("项目分期")
        ordering = ["key_project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_project", "number"],
                name="keyprojects_phase_number_once",
                violation_error_message=_("这个项目已有同一期次，请换一个期次。"),
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="keyprojects_phase_number_positive",
                violation_error_message=_("期次从 1 开始。"),
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="keyprojects_phase_named"),
            models.CheckConstraint(
                condition=models.Q(planned_investment__gte=0),
                name="keyprojects_phase_planned_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(actual_investment__isnull=True)
                | models.Q(actual_investment__gte=0),
                name="keyprojects_phase_actual_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True)
                | models.Q(planned_finish__isnull=True)
                | models.Q(planned_finish__gte=models.F("planned_start")),
                name="keyprojects_phase_planned_in_order",
                violation_error_message=_("计划竣工日期不能早于计划开工日期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(actual_start__isnull=True)
                | models.Q(actual_finish__isnull=True)
                | models.Q(actual_finish__gte=models.F("actual_start")),
                name="keyprojects_phase_actual_in_order",
                violation_error_message=_("实际竣工日期不能早于实际开工日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_project} {self.name}"

    def get_absolute_url(self) -> str:
        return self.key_project.get_absolute_url()

    def clean(self) -> None:
        if self.actual_finish and not self.actual_start:
            raise ValidationError({"actual_start": _("已填实际竣工日期，必须填写实际开工日期。")})


class MilestoneQuerySet(ScopedQuerySet):
    unit_lookup = "key_project__unit"

    def overdue(self, today: dt.date):
        """Milestones whose deadline has passed and that are not done (of listed projects)."""
        return self.filter(done_on__isnull=True, due_on__lt=today, key_project__is_active=True)


class Milestone(models.Model):
    """A deadline of a key project (开工, 投产, 竣工 …); overdue when it has passed undone."""

    key_project = models.ForeignKey(
        KeyProject, verbose_name=_("重点项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("节点"), max_length=12, choices=MilestoneKind.choices)
    title = models.CharField(_("节点说明"), max_length=100, blank=True)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(
        _("实际完成日期"), null=True, blank=True, validators=[validate_not_future]
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MilestoneKind.values),
                name="keyprojects_milestone_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=MilestoneKind.OTHER) | ~models.Q(title=""),
                name="keyprojects_milestone_other_titled",
                violation_error_message=_("“其他”节点必须写明节点说明。"),
            ),
        ]
        indexes = [
            # The overdue list (homes, board): undone milestones by deadline.
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(done_on__isnull=True),
                name="keyprojects_milestone_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_project} {self.label}"

    def get_absolute_url(self) -> str:
        return self.key_project.get_absolute_url()

    @property
    def label(self) -> str:
        return self.title or str(self.get_kind_display())

    def is_overdue(self, today: dt.date) -> bool:
        """The deadline has passed (before today) and the milestone is not done."""
        return self.done_on is None and self.due_on < today


class FollowUp(models.Model):
    """One entry of the follow-up log (跟踪记录): when, who, what happened, what next.
    Entries are never edited: a correction is a new entry."""

    key_project = models.ForeignKey(
        KeyProject, verbose_name=_("重点项目"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    happened_on = models.DateField(_("跟踪日期"), validators=[validate_not_future])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(_("进展情况"), max_length=2000)
    next_step = models.TextField(_("下一步工作"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("跟踪记录")
        verbose_name_plural = _("跟踪记录")
        ordering = ["-happened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(summary=""),
                name="keyprojects_followup_has_summary",
                violation_error_message=_("必须填写进展情况。"),
            ),
        ]
        indexes = [
            models.Index(fields=["key_project", "-happened_on", "-id"], name="keyprojects_log"),
        ]

    def __str__(self) -> str:
        return f"{self.key_project} {self.happened_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.key_project.get_absolute_url()
