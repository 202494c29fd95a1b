"""Referral rewards (引资奖励): referrers, each year's rules, tax records and claims.

Registered capital and tax are in 万元 (as on the project); rewards, tiers and caps in 元.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.fields import EncryptedCharField, KeyedHashField
from common.scoping import ScopedQuerySet
from common.validators import validate_not_future
from targets.models import MAX_YEAR, MIN_YEAR

MONEY = {"max_digits": 12, "decimal_places": 2}  # 元
WAN = {"max_digits": 14, "decimal_places": 2}  # 万元
NOT_NEGATIVE = [MinValueValidator(Decimal(0), _("金额不能为负数。"))]
YEAR_RANGE = [
    MinValueValidator(MIN_YEAR, _("年度应在 %(limit_value)s 年以后。")),
    MaxValueValidator(MAX_YEAR, _("年度应在 %(limit_value)s 年以前。")),
]


# Reasons quote what the user typed (up to 300 characters) or a rule's tiers: longer than
# simple-history's default 100-character column, which PostgreSQL would refuse.
def _reason_field() -> models.TextField:
    return models.TextField(null=True)


# The regulation's promise: pay within 30 days of approval.
PAYMENT_DAYS = 30

id_number_validator = RegexValidator(
    r"^[0-9A-Z-]{6,30}$",
    _("证件号码（身份证号或统一社会信用代码）只能包含数字、大写字母和连字符，6–30 位。"),
)
bank_account_validator = RegexValidator(r"^[0-9]{8,32}$", _("银行账号应为 8–32 位数字。"))


def mask_tail(value: str, keep: int = 4) -> str:
    """Only the last ``keep`` characters, behind a fixed-width mask that hides the length."""
    if not value:
        return ""
    return "****" + (value[-keep:] if len(value) > keep else "")


class ReferrerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业（境内外）")
    ASSOCIATION = "association", _("社会团体")
    INSTITUTION = "institution", _("行政事业单位")
    ECONOMIC_ORG = "economic_org", _("经济组织")
    INDIVIDUAL = "individual", _("个人")


class DistrictWideQuerySet(models.QuerySet):
    """Records that belong to no unit: every signed-in role may read them."""

    def for_user(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self if getattr(user, "role", "") else self.none()


class Referrer(models.Model):
    """A referrer (引资人) registered with the district: who may claim a referral reward.

    District-wide: the commerce bureau registers referrers, the finance office keeps their
    bank details; unit staff pick them for their projects and see the numbers masked.
    """

    kind = models.CharField(_("引资人类型"), max_length=20, choices=ReferrerKind.choices)
    name = models.CharField(_("名称或姓名"), max_length=100)
    # Encrypted at rest (common.crypto); found and kept unique through its keyed hash.
    id_number = EncryptedCharField(
        _("身份证号或统一社会信用代码"),
        max_length=30,
        validators=[id_number_validator],
        purpose="rewards.referrer.id_number",
        hash_field="id_number_hash",
    )
    id_number_hash = KeyedHashField(source="id_number")
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    bank_account = EncryptedCharField(
        _("银行账号"),
        max_length=32,
        blank=True,
        validators=[bank_account_validator],
        purpose="rewards.referrer.bank_account",
    )
    is_public_servant = models.BooleanField(
        _("公职人员或专职招商人员"),
        default=False,
        help_text=_("是则奖励按当年规则归其所在单位（或不予奖励），不发给本人。"),
    )
    employer_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    registered_on = models.DateField(_("登记日期"), validators=[validate_not_future])
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords(history_change_reason_field=_reason_field())
    objects = DistrictWideQuerySet.as_manager()

    # Shown masked everywhere but the finance office's detail page (and never exported).
    SENSITIVE_FIELDS = ("id_number", "bank_account")

    class Meta:
        verbose_name = _("引资人")
        verbose_name_plural = _("引资人")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                name="rewards_referrer_id_number_unique",
                violation_error_message=_("这个证件号码已登记为引资人，请勿重复登记。"),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReferrerKind.values), name="rewards_referrer_kind"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="rewards_referrer_named"),
            models.CheckConstraint(
                condition=~models.Q(id_number=""), name="rewards_referrer_id_number_present"
            ),
            # A civil servant is a person, and their reward goes to (or stays with) their unit.
            models.CheckConstraint(
                condition=models.Q(is_public_servant=False)
                | models.Q(kind=ReferrerKind.INDIVIDUAL, employer_unit__isnull=False),
                name="rewards_referrer_public_servant_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    def get_absolute_url(self) -> str:
        return reverse("rewards:referrer_detail", args=[self.pk])

    def validate_constraints(self, exclude=None) -> None:
        """The unique number is checked on its hash column, and reported on the number."""
        if exclude and "id_number" not in exclude:
            exclude = set(exclude) - {"id_number_hash"}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "id_number_hash" in error.error_dict:
                moved = error.error_dict.pop("id_number_hash")
                error.error_dict.setdefault("id_number", []).extend(moved)
            raise

    def clean(self) -> None:
        errors = {}
        if self.is_public_servant and self.kind != ReferrerKind.INDIVIDUAL:
            errors["is_public_servant"] = _("只有个人引资人才可能是公职人员或专职招商人员。")
        if self.is_public_servant and self.employer_unit_id is None:
            errors["employer_unit"] = _(
                "公职人员或专职招商人员必须填写所在单位：其奖励归所在单位，不发给本人。"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def masked_id_number(self) -> str:
        return mask_tail(self.id_number)

    @property
    def masked_bank_account(self) -> str:
        return mask_tail(self.bank_account)


class ProjectReferrerQuerySet(ScopedQuerySet):
    unit_lookup = "project__unit"


class ProjectReferrer(models.Model):
    """The project's first referrer (第一引资人): one per project, enforced by the database."""

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="first_referrer",
        error_messages={"unique": _("该项目已登记第一引资人，每个项目只能有一个第一引资人。")},
    )
    referrer = models.ForeignKey(
        Referrer,
        verbose_name=_("第一引资人"),
        on_delete=models.PROTECT,
        related_name="project_links",
    )
    partners = models.TextField(
        _("投资方的合作方"),
        blank=True,
        help_text=_("每行一个名称。投资方及其合作方不能作为引资人。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords(history_change_reason_field=_reason_field())
    objects = ProjectReferrerQuerySet.as_manager()

    class Meta:
        verbose_name = _("第一引资人")
        verbose_name_plural = _("第一引资人")

    def __str__(self) -> str:
        return f"{self.project.code} ← {self.referrer.name}"


class PublicServantPolicy(models.TextChoices):
    TO_UNIT = "to_unit", _("奖励归其所在单位")
    EXCLUDED = "excluded", _("不予奖励")


class RewardRule(models.Model):
    """One year's rules of the 《招商引资奖励暂行规定》, edited by the finance office.

    A project's rewards follow the rule of the year it was signed in.
    """

    year = models.OneToOneField(
        "targets.AssessmentYear",
        verbose_name=_("年度"),
        on_delete=models.PROTECT,
        related_name="reward_rule",
        error_messages={"unique": _("这一年度已有奖励规则，请修改原规则。")},
    )
    fee_cap = models.DecimalField(_("洽谈费补助上限（元）"), validators=NOT_NEGATIVE, **MONEY)
    tax_rate = models.DecimalField(
        _("税收奖励比例"),
        max_digits=5,
        decimal_places=4,
        validators=[
            MinValueValidator(Decimal(0), _("税收奖励比例不能为负数。")),
            MaxValueValidator(Decimal(1), _("税收奖励比例不能大于 1（即 100%%）。")),
        ],
        help_text=_("地方留成税收的比例，0.05 表示 5%。"),
    )
    tax_years = models.PositiveSmallIntegerField(
        _("税收奖励年限（年）"),
        validators=[
            MinValueValidator(1, _("税收奖励年限至少 1 年。")),
            MaxValueValidator(20, _("税收奖励年限最多 20 年。")),
        ],
        help_text=_("从投产当年起计算的年数，如 3 表示投产当年及其后两年。"),
    )
    tax_cap = models.DecimalField(
        _("税收奖励累计上限（元）"),
        validators=NOT_NEGATIVE,
        help_text=_("同一项目各年度税收奖励合计不超过此数。"),
        **MONEY,
    )
    exclude_investor_partners = models.BooleanField(
        _("投资方及其合作方不得作为引资人"), default=True
    )
    require_registration_before_signing = models.BooleanField(
        _("引资人须在项目签约前登记"), default=True
    )
    public_servant_policy = models.CharField(
        _("公职人员或专职招商人员"),
        max_length=20,
        choices=PublicServantPolicy.choices,
        default=PublicServantPolicy.TO_UNIT,
    )
    note = models.TextField(_("依据和说明"), blank=True, help_text=_("如文件名称、文号。"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at"], history_change_reason_field=_reason_field()
    )
    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("奖励规则")
        verbose_name_plural = _("奖励规则")
        ordering = ["-year__year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fee_cap__gte=0, tax_cap__gte=0),
                name="rewards_rule_caps_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0, tax_rate__lte=1),
                name="rewards_rule_rate_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=models.Q(tax_years__gte=1, tax_years__lte=20),
                name="rewards_rule_tax_years_range",
            ),
            models.CheckConstraint(
                condition=models.Q(public_servant_policy__in=PublicServantPolicy.values),
                name="rewards_rule_public_servant_policy",
            ),
        ]

    def __str__(self) -> str:
        return _("%(y)s年引资奖励规则") % {"y": self.year.year}

    def get_absolute_url(self) -> str:
        return reverse("rewards:rule_detail", args=[self.year.year])


class FeeTier(models.Model):
    """One tier of the negotiation-fee subsidy: [lower, upper) 万元 of registered capital."""

    rule = models.ForeignKey(
        RewardRule, verbose_name=_("奖励规则"), on_delete=models.CASCADE, related_name="tiers"
    )
    lower = models.DecimalField(_("注册资本下限（万元，含）"), validators=NOT_NEGATIVE, **WAN)
    upper = models.DecimalField(
        _("注册资本上限（万元，不含）"), null=True, blank=True, validators=NOT_NEGATIVE, **WAN
    )
    amount = models.DecimalField(_("补助金额（元）"), validators=NOT_NEGATIVE, **MONEY)

    history = HistoricalRecords(history_change_reason_field=_reason_field())

    class Meta:
        verbose_name = _("洽谈费补助档次")
        verbose_name_plural = _("洽谈费补助档次")
        ordering = ["rule", "lower"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "lower"],
                name="rewards_tier_lower_unique",
                violation_error_message=_("同一规则中两个档次的下限相同。"),
            ),
            models.CheckConstraint(
                condition=models.Q(lower__gte=0, amount__gte=0), name="rewards_tier_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(upper__isnull=True) | models.Q(upper__gt=models.F("lower")),
                name="rewards_tier_upper_above_lower",
            ),
        ]

    def __str__(self) -> str:
        upper = f"{self.upper}" if self.upper is not None else "∞"
        return f"[{self.lower}, {upper}) 万元 → {self.amount} 元"


class TaxRecordQuerySet(ScopedQuerySet):
    unit_lookup = "project__unit"


class TaxRecord(models.Model):
    """A project's local retained tax (地方留成税收) for one year, recorded by finance."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="tax_records",
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_RANGE)
    local_retained_tax = models.DecimalField(
        _("地方留成税收（万元）"), validators=NOT_NEGATIVE, **WAN
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords(history_change_reason_field=_reason_field())
    objects = TaxRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("税收记录")
        verbose_name_plural = _("税收记录")
        ordering = ["-year", "project__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="rewards_tax_record_unique",
                violation_error_message=_("该项目这一年度的税收已经登记过，请修改原记录。"),
            ),
            models.CheckConstraint(
                condition=models.Q(local_retained_tax__gte=0), name="rewards_tax_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="rewards_tax_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year} {self.local_retained_tax}"

    def clean(self) -> None:
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError(
                {"year": _("年度 %(y)d 还没有到，不能登记税收。") % {"y": self.year}}
            )


class ClaimKind(models.TextChoices):
    FEE = "fee", _("洽谈费补助")
    TAX = "tax", _("税收奖励")


class ClaimStatus(models.TextChoices):
    FILED = "filed", _("已申报")
    REVIEWED = "reviewed", _("已审核")
    APPROVED = "approved", _("已审批")
    PAID = "paid", _("已兑现")
    REJECTED = "rejected", _("已驳回")


# A tuple, not a set: the order ends up in a migration.
LIVE_STATUSES = (ClaimStatus.FILED, ClaimStatus.REVIEWED, ClaimStatus.APPROVED, ClaimStatus.PAID)


class ClaimQuerySet(ScopedQuerySet):
    unit_lookup = "project__unit"

    def live(self):
        """Everything but rejected claims: what counts against "once per project"."""
        return self.exclude(status=ClaimStatus.REJECTED)


class Claim(models.Model):
    """A claim for one referral reward: 申报 → 审核 → 审批 → 已兑现, or 驳回 at any step.

    ``amount`` and ``computation`` are what the rule gave when the claim was filed and, again,
    when it was approved; the computation says how (basis, tier or rate, cap).
    """

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="reward_claims",
    )
    referrer = models.ForeignKey(
        Referrer, verbose_name=_("引资人"), on_delete=models.PROTECT, related_name="claims"
    )
    kind = models.CharField(_("奖励类别"), max_length=10, choices=ClaimKind.choices)
    tax_year = models.PositiveSmallIntegerField(
        _("税收年度"), null=True, blank=True, validators=YEAR_RANGE
    )
    rule = models.ForeignKey(
        RewardRule, verbose_name=_("适用规则"), on_delete=models.PROTECT, related_name="claims"
    )
    amount = models.DecimalField(_("奖励金额（元）"), validators=NOT_NEGATIVE, **MONEY)
    computation = models.JSONField(_("计算过程"), default=dict)
    payee = models.CharField(_("收款人"), max_length=200)
    paid_to_unit = models.BooleanField(_("奖励归所在单位"), default=False)
    treasury = models.CharField(_("受益财政"), max_length=120)
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.FILED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    paid_on = models.DateField(_("兑现日期"), null=True, blank=True)
    voucher_no = models.CharField(_("付款凭证号"), max_length=60, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("兑现登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("驳回人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("驳回时间"), null=True, blank=True)
    rejected_from = models.CharField(
        _("驳回时所处环节"), max_length=10, choices=ClaimStatus.choices, blank=True
    )
    reject_reason = models.CharField(_("驳回原因"), max_length=300, blank=True)
    # Claims filed from the second release on: no account performs two consecutive steps.
    # Claims from before keep their history as it is (the migration sets False for them).
    steps_separated = models.BooleanField(_("环节分离"), default=True, editable=False)

    history = HistoricalRecords(history_change_reason_field=_reason_field())
    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("引资奖励申报")
        verbose_name_plural = _("引资奖励申报")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(kind=ClaimKind.FEE) & ~models.Q(status=ClaimStatus.REJECTED),
                name="rewards_one_live_fee_claim_per_project",
                violation_error_message=_(
                    "该项目已申报过洽谈费补助，每个项目只能申报一次（被驳回的除外）。"
                ),
            ),
            models.UniqueConstraint(
                fields=["project", "tax_year"],
                condition=models.Q(kind=ClaimKind.TAX) & ~models.Q(status=ClaimStatus.REJECTED),
                name="rewards_one_live_tax_claim_per_project_year",
                violation_error_message=_(
                    "该项目这一税收年度已申报过税收奖励，每个项目每年只能申报一次（被驳回的除外）。"
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ClaimKind.values), name="rewards_claim_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ClaimStatus.values), name="rewards_claim_status"
            ),
            # A fee claim has no tax year; a tax claim always has one.
            models.CheckConstraint(
                condition=models.Q(kind=ClaimKind.FEE, tax_year__isnull=True)
                | models.Q(kind=ClaimKind.TAX, tax_year__isnull=False),
                name="rewards_claim_tax_year_iff_tax",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="rewards_claim_amount_not_negative"
            ),
            models.CheckConstraint(condition=~models.Q(payee=""), name="rewards_claim_payee"),
            models.CheckConstraint(condition=~models.Q(treasury=""), name="rewards_claim_treasury"),
            # Each step leaves its stamp: reviewed and later steps were reviewed, and so on.
            models.CheckConstraint(
                condition=~models.Q(
                    status__in=[ClaimStatus.REVIEWED, ClaimStatus.APPROVED, ClaimStatus.PAID]
                )
                | models.Q(reviewed_at__isnull=False),
                name="rewards_claim_reviewed_stamped",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID])
                | models.Q(approved_at__isnull=False),
                name="rewards_claim_approved_stamped",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ClaimStatus.PAID)
                | (models.Q(paid_on__isnull=False) & ~models.Q(voucher_no="")),
                name="rewards_claim_paid_has_date_and_voucher",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ClaimStatus.REJECTED)
                | (models.Q(rejected_at__isnull=False) & ~models.Q(reject_reason="")),
                name="rewards_claim_rejected_has_reason",
            ),
            # No account performs two consecutive steps (申报 → 审核 → 审批 → 兑现), nor
            # rejects the step it has just performed. A NULL (the system actor) passes.
            models.CheckConstraint(
                condition=models.Q(steps_separated=False)
                | (
                    ~models.Q(reviewed_by=models.F("filed_by"))
                    & ~models.Q(approved_by=models.F("reviewed_by"))
                    & ~models.Q(paid_recorded_by=models.F("approved_by"))
                    & ~models.Q(rejected_from=ClaimStatus.FILED, rejected_by=models.F("filed_by"))
                    & ~models.Q(
                        rejected_from=ClaimStatus.REVIEWED, rejected_by=models.F("reviewed_by")
                    )
                    & ~models.Q(
                        rejected_from=ClaimStatus.APPROVED, rejected_by=models.F("approved_by")
                    )
                ),
                name="rewards_claim_steps_by_different_accounts",
                violation_error_message=_("同一账号不能连续办理同一申报的两个环节。"),
            ),
        ]
        indexes = [models.Index(fields=["status", "filed_at"])]

    def __str__(self) -> str:
        year = f" {self.tax_year}" if self.tax_year else ""
        return f"#{self.pk} {self.project.code} {self.get_kind_display()}{year}"

    def get_absolute_url(self) -> str:
        return reverse("rewards:claim_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"JL{self.pk:06d}" if self.pk else ""

    @property
    def payment_due_on(self) -> dt.date | None:
        """Payment is due within 30 days of approval."""
        if self.approved_at is None:
            return None
        return timezone.localdate(self.approved_at) + dt.timedelta(days=PAYMENT_DAYS)

    @property
    def is_payment_overdue(self) -> bool:
        due = self.payment_due_on
        return (
            self.status == ClaimStatus.APPROVED and due is not None and timezone.localdate() > due
        )
