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


# --- reported figures (报送) ---------------------------------------------------------------


class ReportedStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    VERIFIED = "verified", _("已核实")
    RETURNED = "returned", _("退回")


class ReportedFigureQuerySet(ScopedQuerySet):
    unit_lookup = "unit"

    def counted(self):
        """Only verified figures count toward their indicator (DOMAIN.md)."""
        return self.filter(status=ReportedStatus.VERIFIED)


def reported_evidence_upload_to(instance, filename: str) -> str:
    return f"reported/{instance.unit_id}/{instance.year}-{instance.month:02d}/{filename}"


def _validate_evidence(upload) -> None:
    # Imported lazily: common.validators reads settings at call time only.
    from common.validators import validate_evidence_file

    validate_evidence_file(upload)


class ReportedFigure(models.Model):
    """A unit's figure of one month for a reported indicator (报送, e.g. 标准厂房 ㎡), with its
    evidence; it counts, in that month, once the commerce bureau has verified it."""

    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="reported_figures",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("完成数"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), message=_("完成数不能为负数。"))],
    )
    evidence = models.FileField(
        _("佐证材料"),
        upload_to=reported_evidence_upload_to,
        blank=True,
        max_length=200,
        validators=[_validate_evidence],
    )
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    status = models.CharField(
        _("核实状态"),
        max_length=10,
        choices=ReportedStatus.choices,
        default=ReportedStatus.PENDING,
    )
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    verified_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("核实人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("报送人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ReportedFigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送数")
        verbose_name_plural = _("报送数")
        ordering = ["-year", "-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "unit", "indicator"],
                name="targets_reported_one_per_month",
                violation_error_message=_("本单位这个月的该指标已报送过，请修改原来的报送。"),
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="targets_reported_year_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="targets_reported_month"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="targets_reported_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportedStatus.values),
                name="targets_reported_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReportedStatus.RETURNED) | ~models.Q(return_reason=""),
                name="targets_reported_returned_has_reason",
            ),
            # verified_by may be empty only for a figure verified by a command-line import.
            models.CheckConstraint(
                condition=~models.Q(status=ReportedStatus.VERIFIED)
                | models.Q(verified_at__isnull=False),
                name="targets_reported_verified_has_time",
            ),
        ]
        indexes = [
            # The verification queue: pending figures, first come first served.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status=ReportedStatus.PENDING),
                name="targets_reported_queue",
            ),
            # A unit's list, newest month first.
            models.Index(
                fields=["unit", "-year", "-month", "-id"], name="targets_reported_unit_list"
            ),
            models.Index(fields=["-year", "-month", "-id"], name="targets_reported_list"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.unit} {self.indicator}: {self.amount}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("targets:reported_detail", args=[self.pk])

    @property
    def month_end(self) -> dt.date:
        """The day the figure counts on: the month's last day (a month counts for 1–N月 once
        it is complete, like 序时进度)."""
        import calendar

        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def evidence_name(self) -> str:
        if not self.evidence:
            return ""
        return self.original_name or self.evidence.name.rsplit("/", 1)[-1]

    @property
    def editable_by_unit(self) -> bool:
        return self.status in (ReportedStatus.PENDING, ReportedStatus.RETURNED)
