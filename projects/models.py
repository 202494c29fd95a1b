from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connections, models
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.scoping import ScopedQuerySet
from common.validators import (
    validate_credit_code,
    validate_evidence_file,
    validate_not_future,
)
from projects.origins import PROVINCE_SET, REGION_SET
from targets.models import CapitalType

# Joins the searched columns in the stored search_text (migration 0011); no search holds it.
SEARCH_SEPARATOR = "\x1f"
AMOUNT = {"max_digits": 14, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"), message=_("金额不能为负数。"))]


class Stage(models.TextChoices):
    INTENTION = "intention", _("意向")
    NEGOTIATION = "negotiation", _("洽谈")
    SIGNED = "signed", _("签约")
    STARTED = "started", _("开工")
    PRODUCING = "producing", _("投产")
    TERMINATED = "terminated", _("终止")
    # Not a step of the life cycle: the commerce bureau took the project out of the figures
    # as a 重复统计 of another unit's project (DOMAIN.md). Kept, with the reason, for history.
    WITHDRAWN = "withdrawn", _("已撤回（重复统计）")


# Stages at or after signing: the project has a contract. A tuple, not a set: the order
# ends up in a migration and must not change from run to run.
SIGNED_STAGES = (Stage.SIGNED, Stage.STARTED, Stage.PRODUCING)
STAGE_ORDER = [Stage.INTENTION, Stage.NEGOTIATION, Stage.SIGNED, Stage.STARTED, Stage.PRODUCING]
# Stages before signing: no contract, so no money (DOMAIN.md "Settled rules").
UNSIGNED_STAGES = (Stage.INTENTION, Stage.NEGOTIATION)
# Stages a user may pick in a form or a workbook; 撤回 is set only by resolving a 重复统计.
CHOSEN_STAGES = tuple(stage for stage in Stage if stage != Stage.WITHDRAWN)


class PromotionEvent(models.Model):
    """A promotion fair (招商活动 / 招商会) where projects are signed."""

    name = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("举办日期"))
    place = models.CharField(_("举办地点"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("招商活动")
        verbose_name_plural = _("招商活动")
        ordering = ["-held_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "held_on"],
                name="projects_event_unique",
                violation_error_message=_("同一天已有同名的招商活动。"),
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="projects_event_named"),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s（%(day)s）") % {
            "name": self.name,
            "day": f"{self.held_on:%Y-%m-%d}",
        }

    def get_absolute_url(self) -> str:
        return reverse("projects:event_update", args=[self.pk])


class ProjectQuerySet(ScopedQuerySet):
    unit_lookup = "unit"

    # Stages at which a project counts toward the project and contract indicators: signing
    # and after (terminated projects keep counting: they were signed or approved that year).
    COUNTED_STAGES = (Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.TERMINATED)

    def counted(self):
        """Only projects that reached signing count toward the indicators (DOMAIN.md)."""
        return self.filter(stage__in=self.COUNTED_STAGES)

    def search(self, value: str):
        """Projects whose 项目编号, 项目名称 or 投资方 contains ``value``, in any case.

        On PostgreSQL one ``LIKE`` on the stored ``search_text`` (the three upper-cased and
        joined by U+001F; migration 0011), which one trigram index answers; elsewhere
        three ``icontains``."""
        value = value.replace(SEARCH_SEPARATOR, "").strip()
        if not value:
            return self
        if connections[self.db].vendor != "postgresql":
            return self.filter(
                Q(code__icontains=value) | Q(name__icontains=value) | Q(investor__icontains=value)
            )
        column = RawSQL(
            f'"{self.model._meta.db_table}"."search_text"', (), output_field=models.TextField()
        )
        return self.alias(search_text=column).filter(search_text__contains=Upper(Value(value)))


class Project(models.Model):
    """A promotion project credited to one unit; the columns of the workbook's 项目 sheet."""

    code = models.CharField(
        _("项目编号"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("项目编号已存在，请换一个编号或编辑原项目。")},
    )
    name = models.CharField(_("项目名称"), max_length=200)
    capital_type = models.CharField(_("类型"), max_length=10, choices=CapitalType.choices)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="projects"
    )
    investor = models.CharField(_("投资方"), max_length=200, blank=True)
    investor_credit_code = models.CharField(
        _("投资方统一社会信用代码"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[validate_credit_code],
    )
    origin = models.CharField(_("来源地"), max_length=30)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.SIGNED)
    signed_on = models.DateField(
        _("签约日期"), null=True, blank=True, validators=[validate_not_future]
    )
    approved_on = models.DateField(
        _("批准日期"), null=True, blank=True, validators=[validate_not_future]
    )
    started_on = models.DateField(
        _("开工日期"), null=True, blank=True, validators=[validate_not_future]
    )
    produced_on = models.DateField(
        _("投产日期"), null=True, blank=True, validators=[validate_not_future]
    )
    contract_amount = models.DecimalField(
        _("合同金额"), null=True, blank=True, validators=NOT_NEGATIVE, **AMOUNT
    )
    registered_capital = models.DecimalField(
        _("注册资本（万元）"), null=True, blank=True, validators=NOT_NEGATIVE, **AMOUNT
    )
    total_investment = models.DecimalField(
        _("总投资（万元）"), null=True, blank=True, validators=NOT_NEGATIVE, **AMOUNT
    )
    is_park_project = models.BooleanField(_("园区项目"), default=False)
    event = models.ForeignKey(
        PromotionEvent,
        verbose_name=_("招商活动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    referrer_name = models.CharField(_("引资人"), max_length=100, blank=True)
    # 重复统计: another unit has the same investor's project; it counts until the commerce
    # bureau resolves it (one keeps it, the other's is withdrawn with withdrawn_reason).
    duplicate_flagged = models.BooleanField(_("疑似重复统计"), default=False)
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capital_type__in=CapitalType.values),
                name="projects_project_capital_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="projects_project_stage_valid"
            ),
            models.CheckConstraint(condition=~models.Q(code=""), name="projects_project_coded"),
            models.CheckConstraint(condition=~models.Q(name=""), name="projects_project_named"),
            models.CheckConstraint(
                condition=models.Q(contract_amount__isnull=True) | models.Q(contract_amount__gte=0),
                name="projects_project_contract_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(registered_capital__isnull=True)
                | models.Q(registered_capital__gte=0),
                name="projects_project_capital_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(total_investment__isnull=True)
                | models.Q(total_investment__gte=0),
                name="projects_project_investment_not_negative",
            ),
            # A project at or past signing has a signing date.
            models.CheckConstraint(
                condition=~models.Q(stage__in=[stage.value for stage in SIGNED_STAGES])
                | models.Q(signed_on__isnull=False),
                name="projects_project_signed_has_date",
            ),
            # A withdrawn project says why; no other project carries a withdrawal reason.
            models.CheckConstraint(
                condition=(models.Q(stage=Stage.WITHDRAWN) & ~models.Q(withdrawn_reason=""))
                | (~models.Q(stage=Stage.WITHDRAWN) & models.Q(withdrawn_reason="")),
                name="projects_project_withdrawn_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "capital_type"]),
            models.Index(fields=["signed_on"]),
            models.Index(fields=["approved_on"]),
            # The project list's order, with the tie-breaker (common.listing): all projects,
            # and one unit's. Text search has trigram indexes on PostgreSQL (migration 0004).
            models.Index(fields=["-signed_on", "-id"], name="projects_project_list"),
            models.Index(fields=["unit", "-signed_on", "-id"], name="projects_project_unit_list"),
            # The other orders the list offers (projects.tables): by amount; by 项目编号 the
            # unique index serves, by 批准日期 the one above.
            models.Index(fields=["contract_amount", "id"], name="projects_project_amount"),
            # The 重复统计 queue above the verification queue: the few flagged projects.
            models.Index(
                fields=["code"],
                condition=models.Q(duplicate_flagged=True),
                name="projects_project_dup_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.capital_type == CapitalType.FOREIGN and self.origin not in REGION_SET:
            errors["origin"] = _("外资项目的来源地“%(v)s”不在国家和地区列表中。") % {
                "v": self.origin
            }
        elif self.capital_type == CapitalType.DOMESTIC and self.origin not in PROVINCE_SET:
            errors["origin"] = _("内资项目的来源地“%(v)s”不是省级行政区名称（如 广东省）。") % {
                "v": self.origin
            }
        if self.stage in SIGNED_STAGES and self.signed_on is None:
            errors["signed_on"] = _("项目已到“%(stage)s”阶段，必须填写签约日期。") % {
                "stage": self.get_stage_display()
            }
        if (
            self.capital_type == CapitalType.FOREIGN
            and self.stage in (Stage.STARTED, Stage.PRODUCING)
            and self.approved_on is None
        ):
            errors["approved_on"] = _(
                "外资项目已开工或投产，必须填写批准日期；没有批准日期的外资项目不计入新批外资项目。"
            )
        for name in ("started_on", "produced_on"):
            value = getattr(self, name)
            if value and self.signed_on and value < self.signed_on:
                errors[name] = _("%(field)s %(d)s 早于签约日期 %(s)s。") % {
                    "field": self._meta.get_field(name).verbose_name,
                    "d": value.isoformat(),
                    "s": self.signed_on.isoformat(),
                }
        if (
            self.started_on
            and self.produced_on
            and self.produced_on < self.started_on
            and "produced_on" not in errors
        ):
            errors["produced_on"] = _("投产日期 %(p)s 早于开工日期 %(s)s。") % {
                "p": self.produced_on.isoformat(),
                "s": self.started_on.isoformat(),
            }
        if self.pk and self.signed_on and "signed_on" not in errors:
            earliest = (
                self.inflows.exclude(status=InflowStatus.VOIDED)
                .order_by("arrived_on")
                .values_list("arrived_on", flat=True)
                .first()
            )
            if earliest is not None and earliest < self.signed_on:
                errors["signed_on"] = _("签约日期不能晚于本项目已登记的最早到位日期 %(d)s。") % {
                    "d": earliest.isoformat()
                }
        if errors:
            raise ValidationError(errors)

    @property
    def is_foreign(self) -> bool:
        return self.capital_type == CapitalType.FOREIGN

    @property
    def money_measure(self) -> str:
        """The unit of the contract amount and of inflows: 万美元 for 外资, 万元 for 内资."""
        return "万美元" if self.is_foreign else "万元"

    @property
    def measure_label(self) -> str:
        """``money_measure`` in the reader's language, for pages (stored notes keep 万元)."""
        return gettext(self.money_measure)


class StageChange(models.Model):
    """One step in a project's life cycle, with who made it and when."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.from_stage} → {self.to_stage}"


class InflowStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    VERIFIED = "verified", _("已核实")
    RETURNED = "returned", _("退回")
    VOIDED = "voided", _("已作废")


class InflowQuerySet(ScopedQuerySet):
    unit_lookup = "project__unit"
    # A unit's rows by the unit kept on the inflow (Inflow.unit, equal to the project's: the
    # database keeps it), so that its list walks projects_inflow_unit_list in order.
    kept_unit_lookup = "unit"

    def counted(self):
        """Only verified inflows count toward the indicators."""
        return self.filter(status=InflowStatus.VERIFIED)


def evidence_upload_to(instance, filename: str) -> str:
    return f"evidence/{instance.project_id}/{filename}"


class Inflow(models.Model):
    """Capital that actually arrived (到位资金) for a project; counts once verified."""

    # Indexed by projects_inflow_project below (with the amount), not by Django's own.
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="inflows",
        db_index=False,
    )
    arrived_on = models.DateField(_("到位日期"), validators=[validate_not_future])
    amount = models.DecimalField(
        _("金额"),
        validators=[MinValueValidator(Decimal("0.01"), message=_("金额必须大于 0。"))],
        **AMOUNT,
    )
    voucher_no = models.CharField(_("凭证号"), max_length=60)
    evidence = models.FileField(
        _("凭证文件"),
        upload_to=evidence_upload_to,
        blank=True,
        max_length=200,
        validators=[validate_evidence_file],
    )
    # The uploaded file's own name (the stored one may carry a suffix such as slip_BUiUAEf.pdf):
    # downloads are named with it. Empty for evidence stored before it was kept.
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    status = models.CharField(
        _("核实状态"), max_length=10, choices=InflowStatus.choices, default=InflowStatus.PENDING
    )
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=300, blank=True)
    # A likely 万/亿 slip, confirmed by the person who entered it; the verifier sees why.
    amount_flagged = models.BooleanField(_("金额待核对"), default=False)
    amount_flag_reason = models.CharField(_("金额核对提示"), max_length=300, blank=True)
    # Recorded before a 凭证号 counted once in the district and sharing one with an earlier
    # inflow: it stays and keeps counting, listed as 待处理 for the commerce bureau.
    legacy_voucher_duplicate = models.BooleanField(_("凭证号重复（规则前登记）"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # The project's unit, kept by the DATABASE (triggers, migration 0010): set on every insert
    # and on a change of project, and followed when a project moves to another unit, so no
    # write path (a form, the workbook import, a bulk insert, raw SQL) can leave it wrong.
    # Read it only to narrow a query (InflowQuerySet.kept_unit_lookup, the unit list index);
    # project.unit stays the truth. Nullable and not editable: Django inserts NULL and SQLite
    # can fill it only in an AFTER INSERT trigger, so an instance in memory holds None.
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        db_index=False,
    )

    # Not the kept unit: the instance saved holds None (the trigger writes the row only).
    history = HistoricalRecords(excluded_fields=["unit"])
    objects = InflowQuerySet.as_manager()

    class Meta:
        verbose_name = _("到位资金")
        verbose_name_plural = _("到位资金")
        ordering = ["-arrived_on", "-id"]
        constraints = [
            # A 凭证号 counts once in the district; only a voided inflow frees it.
            models.UniqueConstraint(
                fields=["voucher_no"],
                condition=~models.Q(status=InflowStatus.VOIDED)
                & models.Q(legacy_voucher_duplicate=False),
                name="projects_inflow_voucher_once",
                violation_error_message=_("这个凭证号已登记过，同一凭证号在全区只能登记一次。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount_flagged=True) | models.Q(amount_flag_reason=""),
                name="projects_inflow_flag_reason_only_when_flagged",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="projects_inflow_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InflowStatus.values),
                name="projects_inflow_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(voucher_no=""), name="projects_inflow_voucher_present"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=InflowStatus.RETURNED) | ~models.Q(return_reason=""),
                name="projects_inflow_returned_has_reason",
            ),
            # verified_by may be empty only for money verified by a command-line import.
            models.CheckConstraint(
                condition=~models.Q(status=InflowStatus.VERIFIED)
                | models.Q(verified_at__isnull=False),
                name="projects_inflow_verified_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=InflowStatus.VOIDED) | ~models.Q(void_reason=""),
                name="projects_inflow_voided_has_reason",
            ),
        ]
        indexes = [
            # A project's money, and a unit's through its projects: the foreign key's index,
            # with the amount, so the 合计 row of a unit's list (common.columns) sums its first
            # rows from the index alone instead of scanning the table.
            models.Index(fields=["project"], include=["amount"], name="projects_inflow_project"),
            # The inflow list's order with its tie-breaker, unfiltered and by status (the
            # second also serves the status + date ranges of the aggregates).
            models.Index(fields=["-arrived_on", "-id"], name="projects_inflow_list"),
            models.Index(
                fields=["status", "-arrived_on", "-id"], name="projects_inflow_status_list"
            ),
            # A unit's list (its staff's, the commerce bureau's by unit): the same order within
            # the kept unit, so a page reads its rows in order instead of walking the whole
            # district's list and probing every row's project.
            models.Index(fields=["unit", "-arrived_on", "-id"], name="projects_inflow_unit_list"),
            # The other order the list offers (projects.tables): by amount.
            models.Index(fields=["amount", "id"], name="projects_inflow_amount"),
            # Verified money per project, read from the index alone (the forecast's pipeline,
            # reporting.forecast.read_pipeline).
            models.Index(
                fields=["project", "arrived_on"],
                include=["amount"],
                condition=models.Q(status=InflowStatus.VERIFIED),
                name="projects_inflow_verified_money",
            ),
            # The open money of a unit (a clerk's home: 退回 and 待核实, by the kept unit as
            # InflowQuerySet.for_unit asks), and the pending money with an amount to check
            # (the bureau's home): a few rows each.
            models.Index(
                fields=["unit", "status"],
                condition=models.Q(status__in=[InflowStatus.PENDING, InflowStatus.RETURNED]),
                name="projects_inflow_open",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(status=InflowStatus.PENDING, amount_flagged=True),
                name="projects_inflow_flagged",
            ),
            # The verification queue: pending money, first come first served.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status=InflowStatus.PENDING),
                name="projects_inflow_pending_queue",
            ),
            # The 待处理 list of shared 凭证号 recorded before the rule: a handful of rows.
            models.Index(
                fields=["voucher_no", "id"],
                condition=models.Q(legacy_voucher_duplicate=True)
                & ~models.Q(status=InflowStatus.VOIDED),
                name="projects_inflow_legacy_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.voucher_no} {self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("projects:inflow_detail", args=[self.pk])

    @property
    def evidence_name(self) -> str:
        """The name the evidence is shown and downloaded under."""
        if not self.evidence:
            return ""
        return self.original_name or self.evidence.name.rsplit("/", 1)[-1]

    def clean(self) -> None:
        project = getattr(self, "project", None) if self.project_id else None
        if (
            project is not None
            and project.signed_on
            and self.arrived_on
            and self.arrived_on < project.signed_on
        ):
            raise ValidationError(
                {
                    "arrived_on": _("到位日期 %(a)s 早于项目签约日期 %(s)s。")
                    % {"a": self.arrived_on.isoformat(), "s": project.signed_on.isoformat()}
                }
            )

    @property
    def editable_by_unit(self) -> bool:
        return self.status in (InflowStatus.PENDING, InflowStatus.RETURNED)
