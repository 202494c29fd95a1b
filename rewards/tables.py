import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from common.columns import AmountColumn
from rewards.models import Claim, Referrer, RewardRule, TaxRecord

RIGHT = {"td": {"class": "text-end"}}


class ReferrerTable(tables.Table):
    name = tables.Column(linkify=True)
    # Identity numbers and bank accounts are shown (and exported) masked only.
    masked_id_number = tables.Column(
        verbose_name=_("证件号码（后四位）"), order_by=("id_number",), orderable=False
    )
    masked_bank_account = tables.Column(verbose_name=_("银行账号（后四位）"), orderable=False)
    is_public_servant = tables.BooleanColumn(
        verbose_name=_("公职/专职招商"), yesno=(_("是"), _("否"))
    )
    employer_unit = tables.Column(verbose_name=_("所在单位"))
    project_count = tables.Column(verbose_name=_("引资项目数"), attrs=RIGHT)

    class Meta:
        model = Referrer
        fields = (
            "name",
            "kind",
            "masked_id_number",
            "contact",
            "bank_name",
            "masked_bank_account",
            "is_public_servant",
            "employer_unit",
            "registered_on",
            "project_count",
        )
        empty_text = _("还没有登记引资人")

    def value_registered_on(self, value):
        return value


class ClaimTable(tables.Table):
    number = tables.Column(
        verbose_name=_("申报编号"), linkify=True, accessor="number", order_by=("id",)
    )
    project = tables.Column(verbose_name=_("项目"), order_by=("project__code",))
    unit = tables.Column(
        accessor="project__unit",
        verbose_name=_("责任单位"),
        order_by=("project__unit__display_order",),
    )
    referrer = tables.Column(verbose_name=_("引资人"), accessor="referrer__name")
    amount = AmountColumn(attrs=RIGHT)

    class Meta:
        model = Claim
        fields = (
            "number",
            "project",
            "unit",
            "kind",
            "tax_year",
            "referrer",
            "payee",
            "amount",
            "treasury",
            "status",
            "filed_at",
            "approved_at",
            "paid_on",
        )
        empty_text = _("没有符合条件的引资奖励申报")
        order_by = ("-filed_at",)

    def value_amount(self, value):
        return value

    def value_paid_on(self, value):
        return value


class QueueTable(ClaimTable):
    payment_due_on = tables.DateColumn(
        verbose_name=_("应兑现日期"), format="Y-m-d", orderable=False, default="—"
    )

    class Meta(ClaimTable.Meta):
        fields = (
            "number",
            "project",
            "unit",
            "kind",
            "tax_year",
            "referrer",
            "payee",
            "amount",
            "treasury",
            "status",
            "filed_at",
            "approved_at",
        )
        sequence = (*fields, "payment_due_on")
        order_by = ("filed_at",)
        empty_text = _("没有待办的引资奖励申报")

    def value_payment_due_on(self, value):
        return value


class TaxRecordTable(tables.Table):
    project = tables.Column(verbose_name=_("项目"), order_by=("project__code",), linkify=True)
    unit = tables.Column(
        accessor="project__unit",
        verbose_name=_("责任单位"),
        order_by=("project__unit__display_order",),
    )
    local_retained_tax = AmountColumn(attrs=RIGHT)
    edit = tables.TemplateColumn(
        template_name="rewards/_tax_edit_link.html",
        verbose_name=_("操作"),
        orderable=False,
        exclude_from_export=True,
    )

    class Meta:
        model = TaxRecord
        fields = ("project", "unit", "year", "local_retained_tax", "note", "recorded_at")
        empty_text = _("还没有登记税收")

    def value_local_retained_tax(self, value):
        return value


class RuleTable(tables.Table):
    year = tables.Column(verbose_name=_("年度"), accessor="year__year", linkify=True)
    tier_count = tables.Column(verbose_name=_("补助档次数"), attrs=RIGHT)
    fee_cap = tables.Column(attrs=RIGHT)
    tax_rate = tables.Column(attrs=RIGHT)
    tax_cap = tables.Column(attrs=RIGHT)

    class Meta:
        model = RewardRule
        fields = (
            "year",
            "tier_count",
            "fee_cap",
            "tax_rate",
            "tax_years",
            "tax_cap",
            "public_servant_policy",
            "updated_at",
        )
        empty_text = _("还没有设定奖励规则")
