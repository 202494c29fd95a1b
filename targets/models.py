import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.origins import PROVINCES
from common.scoping import ScopedQuerySet

DEFAULT_DEPOSIT_AMOUNT = Decimal("3000.00")
DEFAULT_HOME_PROVINCE = "湖南省"
MIN_YEAR, MAX_YEAR = 2000, 2100


def default_deposit_due_date(year: int) -> dt.date:
    return dt.date(year, 4, 15)


class ScheduleMode(models.TextChoices):
    MONTHS = "months", _("按月（完成月数 ÷ 12）")
    DAYS = "days", _("按日（已过天数 ÷ 全年天数）")


class AssessmentYear(models.Model):
    """An assessment (calendar) year and its settings; created with defaults on first use."""

    year = models.PositiveSmallIntegerField(
        _("年度"),
        unique=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    deposit_amount = models.DecimalField(
        _("风险抵押金（元）"), max_digits=12, decimal_places=2, default=DEFAULT_DEPOSIT_AMOUNT
    )
    deposit_due_date = models.DateField(_("抵押金缴纳截止日"))
    schedule_mode = models.CharField(
        _("序时进度算法"), max_length=10, choices=ScheduleMode.choices, default=ScheduleMode.MONTHS
    )
    home_province = models.CharField(
        _("本省"),
        max_length=20,
        default=DEFAULT_HOME_PROVINCE,
        choices=[(name, name) for name in PROVINCES],
        help_text=_("来自本省的内资不计入“境内省外资金”。"),
    )
    lag_threshold = models.DecimalField(
        _("严重滞后阈值"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("完成率低于序时进度的这个比例为“严重滞后”（红色），默认 0.80。"),
    )
    # Set and cleared by the deposits services, under the year's row lock, when the year is
    # settled or the settlement reversed; while set, quotas and deposits of the year are locked.
    settled = models.BooleanField(_("已结算"), default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核年度")
        verbose_name_plural = _("考核年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="targets_year_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(deposit_amount__gte=0), name="targets_year_deposit_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(schedule_mode__in=ScheduleMode.values),
                name="targets_year_schedule_mode_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(lag_threshold__gte=0, lag_threshold__lte=1),
                name="targets_year_lag_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年"


class CapitalType(models.TextChoices):
    FOREIGN = "foreign", _("外资")
    DOMESTIC = "domestic", _("内资")


class Measure(models.TextChoices):
    WAN_USD = "wan_usd", _("万美元")
    WAN_CNY = "wan_cny", _("万元")
    COUNT = "count", _("个")


class Indicator(models.Model):
    """One of the five assessment indicators (考核指标); rows come from a data migration."""

    code = models.CharField(_("指标编码"), max_length=30, unique=True)
    name = models.CharField(_("指标名称"), max_length=50, unique=True)
    measure = models.CharField(_("计量单位"), max_length=10, choices=Measure.choices)
    capital_type = models.CharField(_("资金类型"), max_length=10, choices=CapitalType.choices)
    display_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["display_order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(measure__in=Measure.values), name="targets_indicator_measure"
            ),
            models.CheckConstraint(
                condition=models.Q(capital_type__in=CapitalType.values),
                name="targets_indicator_capital_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_count(self) -> bool:
        return self.measure == Measure.COUNT

    @property
    def label(self) -> str:
        """The name in the reader's language (the five names are in the catalogue, see
        targets/indicators.py); exports and stored text keep ``name``."""
        return gettext(self.name)


class QuotaQuerySet(ScopedQuerySet):
    unit_lookup = "unit"


class Quota(models.Model):
    """A unit's annual task (任务数) for one indicator, in the indicator's unit of measure."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="quotas"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="quotas"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT)
    amount = models.DecimalField(_("任务数"), max_digits=14, decimal_places=2)

    history = HistoricalRecords()
    objects = QuotaQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位任务")
        verbose_name_plural = _("单位任务")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "indicator"], name="targets_quota_one_per_unit_indicator"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="targets_quota_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.unit} {self.indicator}: {self.amount}"


class DistrictTask(models.Model):
    """The city's task to the district (全区任务) for one indicator and year."""

    year = models.ForeignKey(
        AssessmentYear,
        verbose_name=_("年度"),
        on_delete=models.PROTECT,
        related_name="district_tasks",
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT)
    amount = models.DecimalField(_("任务数"), max_digits=14, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("全区任务")
        verbose_name_plural = _("全区任务")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "indicator"], name="targets_district_task_one_per_indicator"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="targets_district_task_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.indicator}: {self.amount}"


class Rollup(models.Model):
    """Running totals per unit × indicator × month (day 0) and × day (days 1–31).

    Kept up to date in the same transaction as every change that counts (targets.rollups),
    so the dashboard reads at most a few thousand rows whatever the number of inflows.
    ``manage.py rebuild_rollups`` recomputes it from the records.
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField(help_text="0 for the whole month")
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("完成数汇总")
        verbose_name_plural = _("完成数汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "day", "unit", "indicator"], name="targets_rollup_cell"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="targets_rollup_month"
            ),
            models.CheckConstraint(
                condition=models.Q(day__gte=0, day__lte=31), name="targets_rollup_day"
            ),
        ]
        indexes = [
            # The dashboard sums the month rows (day 0) of a year: without this it walks the
            # day rows too, and its time grows with how many days carry money.
            models.Index(
                fields=["year", "month"], condition=models.Q(day=0), name="targets_rollup_months"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}-{self.day:02d} {self.unit_id} {self.indicator_id}"


class Tally(models.Model):
    """Running totals of figures that are not indicators, per month (day 0) and day, under a
    key the owning app chooses (projects: the park's share and the pipeline's stages, see
    projects.counting). Kept like the Rollup, through targets.rollups in the same transaction
    as the change, so those pages read a few hundred rows whatever the number of records."""

    key = models.CharField(max_length=80)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField(help_text="0 for the whole month")
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("分类汇总")
        verbose_name_plural = _("分类汇总")
        constraints = [
            # Also the index of the period reads (a year's month rows and a month's days).
            models.UniqueConstraint(
                fields=["year", "month", "day", "key"], name="targets_tally_cell"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="targets_tally_month"
            ),
            models.CheckConstraint(
                condition=models.Q(day__gte=0, day__lte=31), name="targets_tally_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}-{self.day:02d} {self.key}"


class CloseState(models.TextChoices):
    CLOSED = "closed", _("已关账")
    REOPENED = "reopened", _("已重新开账")


class PeriodClose(models.Model):
    """The close (关账) of 1–N月 of a year: the progress report frozen as it stood, who closed
    it and when (DOMAIN.md "The monthly close"). Written only by closing's services; targets'
    pages read it through targets.closes. A reopened close stays as history; closing the
    month again adds a new row with a new snapshot."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="closes"
    )
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=CloseState.choices, default=CloseState.CLOSED
    )
    closed_at = models.DateTimeField(_("关账时间"))
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("关账人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_by_name = models.CharField(_("关账人"), max_length=150)
    # The frozen ProgressReport (targets.closes.freeze): Decimals as strings.
    snapshot = models.JSONField(_("冻结数据"))
    reopened_at = models.DateTimeField(_("开账时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("开账人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_by_name = models.CharField(_("开账人"), max_length=150, blank=True)
    reopen_reason = models.CharField(_("开账原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("月度关账")
        verbose_name_plural = _("月度关账")
        ordering = ["-year__year", "-month", "-closed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"],
                condition=models.Q(state="closed"),
                name="targets_close_one_live_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="targets_close_month"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["closed", "reopened"]), name="targets_close_state"
            ),
            models.CheckConstraint(
                condition=models.Q(state="closed")
                | (models.Q(reopened_at__isnull=False) & ~models.Q(reopen_reason="")),
                name="targets_close_reopen_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} 1–{self.month}月 {self.get_state_display()}"
