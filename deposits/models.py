from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.scoping import ScopedQuerySet
from common.validators import validate_evidence_file, validate_not_future

MONEY = {"max_digits": 12, "decimal_places": 2}


class UnitScoped(ScopedQuerySet):
    unit_lookup = "unit"


class DepositQuerySet(UnitScoped):
    def live(self):
        """Payments that stand: not voided."""
        return self.filter(voided_at__isnull=True)


class Deposit(models.Model):
    """A unit's risk deposit (风险抵押金) for one year: paid once, in yuan."""

    year = models.ForeignKey(
        "targets.AssessmentYear",
        verbose_name=_("年度"),
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="deposits"
    )
    amount = models.DecimalField(
        _("金额（元）"),
        validators=[MinValueValidator(Decimal("0.01"), _("金额必须大于 0。"))],
        **MONEY,
    )
    paid_on = models.DateField(_("缴纳日期"), validators=[validate_not_future])
    receipt_no = models.CharField(_("票据号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # A wrong payment is never edited: the finance office voids it with a reason (the ledger
    # gets an entry of the opposite sign) and records the right one again.
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.CharField(_("作废原因"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = DepositQuerySet.as_manager()

    class Meta:
        verbose_name = _("抵押金缴纳")
        verbose_name_plural = _("抵押金缴纳")
        ordering = ["-year__year", "unit__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit"],
                condition=models.Q(voided_at__isnull=True),
                name="deposits_one_live_payment_per_unit_year",
                violation_error_message=_("该单位本年度的抵押金已经登记过，不能重复缴纳。"),
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="deposits_positive"),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""),
                name="deposits_void_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.unit} {self.amount}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def receipt_number(self) -> str:
        """The portal's own number for the printable receipt (收据编号)."""
        return f"YJ{self.year.year}-{self.pk:06d}" if self.pk else ""


def letter_upload_to(instance, filename: str) -> str:
    return f"letters/{instance.year_id}/{filename}"


class ResponsibilityLetter(models.Model):
    """The signed responsibility letter (责任状) that goes with the deposit."""

    year = models.ForeignKey(
        "targets.AssessmentYear",
        verbose_name=_("年度"),
        on_delete=models.PROTECT,
        related_name="letters",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="letters"
    )
    signed_on = models.DateField(_("签订日期"), validators=[validate_not_future])
    scan = models.FileField(
        _("扫描件"),
        upload_to=letter_upload_to,
        blank=True,
        max_length=200,
        validators=[validate_evidence_file],
    )

    history = HistoricalRecords()
    objects = UnitScoped.as_manager()

    class Meta:
        verbose_name = _("责任状")
        verbose_name_plural = _("责任状")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit"],
                name="deposits_one_letter_per_unit_year",
                violation_error_message=_("该单位本年度的责任状已经登记过。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.unit}"


class Outcome(models.TextChoices):
    REFUND_AND_BONUS = "refund_bonus", _("退还并奖励")
    FORFEIT = "forfeit", _("没收")
    UNPAID = "unpaid", _("未缴纳")
    REFUND = "refund", _("退还")


class Settlement(models.Model):
    """One unit's year-end settlement, with the figures it was based on frozen in ``figures``.

    At most one live (not reversed) settlement per unit and year: a partial unique index.
    """

    year = models.ForeignKey(
        "targets.AssessmentYear",
        verbose_name=_("年度"),
        on_delete=models.PROTECT,
        related_name="settlements",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="settlements"
    )
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices)
    paid_amount = models.DecimalField(_("缴纳金额"), default=Decimal(0), **MONEY)
    refund_amount = models.DecimalField(_("退还金额"), default=Decimal(0), **MONEY)
    bonus_amount = models.DecimalField(_("奖励金额"), default=Decimal(0), **MONEY)
    forfeit_amount = models.DecimalField(_("没收金额"), default=Decimal(0), **MONEY)
    figures = models.JSONField(_("结算依据（12月31日完成情况）"), default=dict)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结算人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("结算时间"), auto_now_add=True)
    reversed_at = models.DateTimeField(_("冲销时间"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("冲销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reversal_reason = models.CharField(_("冲销原因"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = UnitScoped.as_manager()

    class Meta:
        verbose_name = _("年终结算")
        verbose_name_plural = _("年终结算")
        ordering = ["-year__year", "unit__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit"],
                condition=models.Q(reversed_at__isnull=True),
                name="deposits_one_live_settlement_per_unit_year",
                violation_error_message=_("该单位本年度已经结算，不能重复结算。"),
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values), name="deposits_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    paid_amount__gte=0,
                    refund_amount__gte=0,
                    bonus_amount__gte=0,
                    forfeit_amount__gte=0,
                ),
                name="deposits_settlement_amounts_not_negative",
            ),
            # The money balances: what was paid in is refunded or forfeited, never both.
            models.CheckConstraint(
                condition=models.Q(
                    paid_amount=models.F("refund_amount") + models.F("forfeit_amount")
                ),
                name="deposits_settlement_balances",
            ),
            models.CheckConstraint(
                condition=models.Q(reversed_at__isnull=True) | ~models.Q(reversal_reason=""),
                name="deposits_reversal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.unit} {self.get_outcome_display()}"


class EntryKind(models.TextChoices):
    DEPOSIT_IN = "deposit_in", _("抵押金收入")
    REFUND_OUT = "refund_out", _("退还抵押金")
    BONUS_OUT = "bonus_out", _("发放奖励")
    FORFEIT = "forfeit", _("没收上缴财政")


class LedgerEntry(models.Model):
    """The finance office's ledger. Entries are never edited or deleted: a reversal writes
    entries of the opposite sign."""

    year = models.ForeignKey(
        "targets.AssessmentYear",
        verbose_name=_("年度"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=EntryKind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    deposit = models.ForeignKey(
        Deposit, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = UnitScoped.as_manager()

    class Meta:
        verbose_name = _("抵押金台账")
        verbose_name_plural = _("抵押金台账")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EntryKind.values), name="deposits_entry_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="deposits_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.unit} {self.get_kind_display()} {self.amount}"
