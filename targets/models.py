import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
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
    board_size = models.PositiveSmallIntegerField(
        _("红黑榜名额"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("红榜和黑榜各列前、后几名（并列的一并列入），默认 5。"),
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
            models.CheckConstraint(
                condition=models.Q(board_size__gte=1, board_size__lte=50),
                name="targets_year_board_size_range",
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


class IndicatorKind(models.TextChoices):
    BUILTIN = "builtin", _("内置指标")
    REPORTED = "reported", _("报送指标")


# Units of measure of a reported indicator that count things: quotas are whole numbers.
COUNT_LABELS = frozenset({"个", "家", "项", "件", "户"})

indicator_code_validator = RegexValidator(
    r"^[a-z0-9_]+\Z", _("指标编码只能由小写字母、数字和下划线组成。")
)


class Indicator(models.Model):
    """An assessment indicator (考核指标): the five built-in ones come from a data migration
    and are counted from the projects; the commerce bureau adds reported ones (报送指标),
    whose monthly figures the units report, with a free-text unit of measure."""

    code = models.CharField(
        _("指标编码"), max_length=30, unique=True, validators=[indicator_code_validator]
    )
    name = models.CharField(_("指标名称"), max_length=50, unique=True)
    kind = models.CharField(
        _("指标类别"), max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.BUILTIN
    )
    # Built-in indicators: one of Measure; a reported one: blank, or ``count`` when its unit
    # label counts things (COUNT_LABELS), so that its quotas are whole numbers.
    measure = models.CharField(_("计量单位"), max_length=10, choices=Measure.choices, blank=True)
    unit_label = models.CharField(
        _("计量单位"), max_length=20, blank=True, help_text=_("如 平方米、亿元、个。")
    )
    capital_type = models.CharField(
        _("资金类型"), max_length=10, choices=CapitalType.choices, blank=True
    )
    display_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=IndicatorKind.values), name="targets_indicator_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(measure__in=Measure.values)
                | models.Q(kind=IndicatorKind.REPORTED, measure=""),
                name="targets_indicator_measure",
            ),
            models.CheckConstraint(
                condition=models.Q(capital_type__in=CapitalType.values)
                | models.Q(kind=IndicatorKind.REPORTED, capital_type=""),
                name="targets_indicator_capital_type",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=IndicatorKind.REPORTED, unit_label=""),
                name="targets_indicator_reported_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def builtin(self) -> bool:
        return self.kind == IndicatorKind.BUILTIN

    @property
    def reported(self) -> bool:
        return self.kind == IndicatorKind.REPORTED

    @property
    def is_count(self) -> bool:
        return self.measure == Measure.COUNT

    @property
    def measure_label(self) -> str:
        """The unit of measure as shown: the built-in measure in the reader's language, a
        reported indicator's own label as entered."""
        if self.reported:
            return self.unit_label
        return str(self.get_measure_display())

    @property
    def label(self) -> str:
        """The name in the reader's language (the five names are in the catalogue, see
        targets/indicators.py); exports and stored text keep ``name``."""
        return gettext(self.name) if self.builtin else self.name


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


class SchemeEntry(models.Model):
    """One indicator's line of a year's assessment scheme (考核方案): its weight, its cap
    (封顶, in percent of the quota) and whether it decides the deposit. A year without any
    line weighs every indicator 1 at 120% (targets.scoring); once it has lines, an indicator
    without one weighs 0 and does not decide the deposit."""

    year = models.ForeignKey(
        AssessmentYear,
        verbose_name=_("年度"),
        on_delete=models.PROTECT,
        related_name="scheme_entries",
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT)
    weight = models.DecimalField(
        _("权重"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    cap_percent = models.DecimalField(
        _("封顶（%）"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("120"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("超额完成最多计到任务数的百分之几，默认 120。"),
    )
    decides_deposit = models.BooleanField(_("计入抵押金"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["year", "indicator__display_order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "indicator"], name="targets_scheme_one_per_indicator"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="targets_scheme_weight_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(cap_percent__gt=0), name="targets_scheme_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.indicator}: {self.weight}"


class ScoreAdjustmentQuerySet(ScopedQuerySet):
    unit_lookup = "unit"


class ScoreAdjustment(models.Model):
    """A bonus (positive) or deduction (negative) of points (加减分) to a unit's 综合得分 for
    a year, with its reason (事由, unique per unit and year) and who entered it."""

    year = models.ForeignKey(
        AssessmentYear,
        verbose_name=_("年度"),
        on_delete=models.PROTECT,
        related_name="score_adjustments",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="score_adjustments",
    )
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    reason = models.CharField(_("事由"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    history = HistoricalRecords()
    objects = ScoreAdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["year", "unit__display_order", "unit__code", "entered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "reason"], name="targets_adjustment_reason_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(points=0), name="targets_adjustment_not_zero"
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="targets_adjustment_reason_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.unit} {self.points:+}: {self.reason}"


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
            # On PostgreSQL the index also carries the cell and its amount, so the sums are
            # read from the index alone (an index-only scan, no visit to the table's pages,
            # where the month rows lie scattered among the day rows).
            models.Index(
                fields=["year", "month", "unit", "indicator"],
                include=["amount"],
                condition=models.Q(day=0),
                name="targets_rollup_month_cells",
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
    def evidence_name(self) -> str:
        if not self.evidence:
            return ""
        return self.original_name or self.evidence.name.rsplit("/", 1)[-1]

    @property
    def editable_by_unit(self) -> bool:
        return self.status in (ReportedStatus.PENDING, ReportedStatus.RETURNED)


# --- the monthly close (关账) ----------------------------------------------------------------


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


class FiguresVersion(models.Model):
    """Counters the database itself raises, in the writing transaction: row 1 whenever a
    table the progress report reads changes (the rollup, quotas, district tasks, indicators,
    the scheme, 加减分, the years, the closes, the units), row 2 whenever the projects change
    (the kept 履约率): triggers made by migration 0011, so no write path (a service, the
    admin, a bulk import, raw SQL) can forget them.

    targets.report_cache keeps built reports under the counter's value: a page served while
    nothing changed reuses the report, and the first page after a change builds a new one.
    """

    counter = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self) -> str:
        return str(self.counter)
