import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.columns import AmountColumn
from keyprojects.models import KeyProject


class KeyProjectTable(tables.Table):
    code = tables.Column(accessor="project__code", verbose_name=_("项目编号"))
    name = tables.Column(
        accessor="project__name",
        verbose_name=_("项目名称"),
        linkify=lambda record: record.get_absolute_url(),
    )
    level = tables.Column(verbose_name=_("签约层级"), order_by=("level_rank",))
    unit = tables.Column(verbose_name=_("责任单位"), order_by=("unit__display_order",))
    leader = tables.Column(
        accessor="leader_name", verbose_name=_("包保领导"), order_by=("leader_name",)
    )
    stage = tables.Column(accessor="project__stage", verbose_name=_("阶段"))
    planned_total = AmountColumn(verbose_name=_("计划投资（万元）"))
    actual_total = AmountColumn(verbose_name=_("实际完成投资（万元）"))
    overdue_count = tables.Column(verbose_name=_("逾期节点"), attrs={"td": {"class": "text-end"}})
    last_follow_up = tables.DateColumn(verbose_name=_("最近跟踪"), format="Y-m-d")

    class Meta:
        model = KeyProject
        fields = ()
        sequence = (
            "code",
            "name",
            "level",
            "unit",
            "leader",
            "stage",
            "planned_total",
            "actual_total",
            "overdue_count",
            "last_follow_up",
        )
        order_by = ("level",)
        empty_text = _("没有符合条件的重点项目")

    def render_stage(self, record):
        return record.project.get_stage_display()

    def value_stage(self, record):
        return record.project.get_stage_display()

    def render_leader(self, record):
        return record.leader

    def value_leader(self, record):
        return record.leader

    def render_overdue_count(self, value):
        if not value:
            return "—"
        return format_html('<span class="badge text-bg-danger">{}</span>', value)

    def value_overdue_count(self, value):
        return value

    def value_last_follow_up(self, value):
        return value
