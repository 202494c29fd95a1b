import django_tables2 as tables
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.columns import AmountColumn
from projects.models import Inflow, Project, PromotionEvent
from targets.models import CapitalType

# The 合计 row (the whole filtered list, not the page): 外资 amounts are 万美元 and 内资 万元,
# so they are summed apart, one line each, and never added to each other.
TOTAL_LABEL = _("合计（全部筛选结果）")


def totals_by_capital_type(field: str) -> list:
    return [
        (_("外资（万美元）"), Q(**{field: CapitalType.FOREIGN})),
        (_("内资（万元）"), Q(**{field: CapitalType.DOMESTIC})),
    ]


# The big lists sort only by columns an index serves (projects.models), so a sort costs the
# same at a million rows as at ten thousand; the others are narrowed with the filters.


class ProjectTable(tables.Table):
    code = tables.Column(linkify=True, footer=TOTAL_LABEL, orderable=True)
    name = tables.Column(linkify=True)
    unit = tables.Column(verbose_name=_("责任单位"))
    signed_on = tables.DateColumn(orderable=True)
    approved_on = tables.DateColumn(orderable=True)
    contract_amount = AmountColumn(
        verbose_name=_("合同金额（外资万美元/内资万元）"),
        totals=totals_by_capital_type("capital_type"),
        orderable=True,
    )
    is_park_project = tables.BooleanColumn(yesno=(_("是"), _("否")))
    event = tables.Column(verbose_name=_("招商活动"))

    class Meta:
        model = Project
        fields = (
            "code",
            "name",
            "capital_type",
            "unit",
            "origin",
            "industry",
            "stage",
            "signed_on",
            "approved_on",
            "contract_amount",
            "is_park_project",
            "event",
        )
        empty_text = _("没有符合条件的项目")
        orderable = False

    def value_contract_amount(self, value):
        return value

    def value_signed_on(self, value):
        return value

    def value_approved_on(self, value):
        return value


class InflowTable(tables.Table):
    arrived_on = tables.DateColumn(footer=TOTAL_LABEL, orderable=True)
    project = tables.Column(linkify=True, verbose_name=_("项目"))
    unit = tables.Column(accessor="project__unit", verbose_name=_("责任单位"))
    capital_type = tables.Column(accessor="project__capital_type", verbose_name=_("类型"))
    amount = AmountColumn(
        verbose_name=_("金额（外资万美元/内资万元）"),
        totals=totals_by_capital_type("project__capital_type"),
        orderable=True,
    )
    voucher_no = tables.Column(linkify=True)
    status = tables.Column()

    class Meta:
        model = Inflow
        fields = (
            "arrived_on",
            "project",
            "unit",
            "capital_type",
            "amount",
            "voucher_no",
            "status",
            "return_reason",
            "verified_at",
        )
        empty_text = _("没有符合条件的到位资金")
        order_by = ("-arrived_on",)
        orderable = False

    def render_capital_type(self, record):
        return record.project.get_capital_type_display()

    def value_capital_type(self, record):
        return record.project.get_capital_type_display()

    def value_amount(self, value):
        return value

    def value_arrived_on(self, value):
        return value


class VerificationTable(InflowTable):
    # Ticked boxes belong to the bulk form above the table (form="bulk-verify"): the rows'
    # own verify buttons are forms too, and forms do not nest.
    select = tables.TemplateColumn(
        template_name="projects/_verify_select.html",
        verbose_name=_("选择"),
        orderable=False,
        exclude_from_export=True,
    )
    amount_flag_reason = tables.Column(
        verbose_name=_("金额核对提示"), empty_values=(), attrs={"td": {"class": "text-danger"}}
    )
    created_at = tables.DateTimeColumn(orderable=True)
    actions = tables.TemplateColumn(
        template_name="projects/_verify_actions.html",
        verbose_name=_("操作"),
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(InflowTable.Meta):
        fields = (
            "arrived_on",
            "project",
            "unit",
            "capital_type",
            "amount",
            "voucher_no",
            "amount_flag_reason",
            "created_at",
        )
        sequence = (
            "select",
            "arrived_on",
            "project",
            "unit",
            "capital_type",
            "amount",
            "voucher_no",
            "amount_flag_reason",
            "created_at",
            "actions",
        )
        exclude = ("status", "return_reason", "verified_at")
        order_by = ("created_at",)
        empty_text = _("没有待核实的到位资金")


class PromotionEventTable(tables.Table):
    name = tables.Column(linkify=True)
    project_count = tables.Column(verbose_name=_("项目数"), orderable=False)

    class Meta:
        model = PromotionEvent
        fields = ("name", "held_on", "place", "project_count")
        empty_text = _("还没有招商活动")
