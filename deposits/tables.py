import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.columns import AmountColumn

STATUS_CSS = {"paid": "success", "paid_late": "warning", "unpaid": "secondary", "overdue": "danger"}


class DepositBoardTable(tables.Table):
    code = tables.Column(verbose_name=_("单位编码"))
    name = tables.Column(verbose_name=_("单位名称"))
    kind = tables.Column(verbose_name=_("单位类型"))
    status_label = tables.Column(verbose_name=_("缴纳状态"), order_by=("status",))
    amount = AmountColumn(
        verbose_name=_("金额（元）"), attrs={"td": {"class": "text-end"}}, default="—"
    )
    paid_on = tables.DateColumn(verbose_name=_("缴纳日期"), format="Y-m-d", default="—")
    # empty_values=(): a payment without a receipt number still links to its receipt
    receipt_no = tables.Column(verbose_name=_("票据号"), default="—", empty_values=())
    letter_signed_on = tables.DateColumn(verbose_name=_("责任状签订"), format="Y-m-d", default="—")
    outcome = tables.Column(verbose_name=_("结算结果"), default="—")
    # Only for those who may record a payment (the view excludes it otherwise).
    actions = tables.Column(verbose_name=_("操作"), empty_values=(), orderable=False)

    export_exclude = ("actions",)

    class Meta:
        attrs = {"class": "table table-sm table-striped"}
        empty_text = _("本年度还没有下达任务的单位")
        order_by = ()

    def __init__(self, *args, can_record: bool = False, **kwargs):
        if not can_record:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "actions")
        super().__init__(*args, **kwargs)

    def render_actions(self, record):
        """登记: the payment form for this unit and year, while the unit has not paid."""
        if record.get("deposit_pk"):
            return ""
        url = reverse("deposits:pay", args=[record["year"]])
        return format_html(
            '<a class="btn btn-outline-primary btn-sm py-0" href="{}?unit={}">{}</a>',
            url,
            record["unit"].pk,
            _("登记"),
        )

    def render_status_label(self, value, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', STATUS_CSS[record["status"]], gettext(value)
        )

    def render_receipt_no(self, value, record):
        """The receipt number links to the printable receipt (收据) of the payment."""
        if not record.get("deposit_pk"):
            return "—"
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            reverse("deposits:receipt", args=[record["deposit_pk"]]),
            _("查看、打印收据或作废"),
            value or _("收据"),
        )

    def value_receipt_no(self, value):
        return value or "—"

    def value_status_label(self, value):
        return gettext(value)

    def value_amount(self, value):
        return value

    def value_paid_on(self, value):
        return value

    def value_letter_signed_on(self, value):
        return value
