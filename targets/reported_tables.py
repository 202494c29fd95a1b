"""Tables and filters of the reported figures (报送)."""

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from common.columns import AmountColumn
from targets.models import ReportedFigure, ReportedStatus
from targets.reported import reported_indicators
from units.models import Unit


class ReportedFigureTable(tables.Table):
    period = tables.Column(
        verbose_name=_("月份"), accessor="month", order_by=("year", "month"), linkify=True
    )
    unit = tables.Column(verbose_name=_("单位"), order_by=("unit__display_order",))
    indicator = tables.Column(verbose_name=_("指标"), order_by=("indicator__display_order",))
    amount = AmountColumn(verbose_name=_("完成数"))
    status = tables.Column()

    class Meta:
        model = ReportedFigure
        fields = ("period", "unit", "indicator", "amount", "status", "return_reason", "created_at")
        empty_text = _("没有符合条件的报送数")
        order_by = ("-period",)

    def render_period(self, record):
        return "%d-%02d" % (record.year, record.month)

    def value_period(self, record):
        return "%d-%02d" % (record.year, record.month)

    def render_indicator(self, record):
        return record.indicator.label


class ReportedQueueTable(ReportedFigureTable):
    actions = tables.TemplateColumn(
        template_name="targets/reported/_verify_actions.html",
        verbose_name=_("操作"),
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(ReportedFigureTable.Meta):
        fields = ("period", "unit", "indicator", "amount", "created_at")
        order_by = ("created_at",)


class ReportedFigureFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label=_("年度"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("单位"))
    indicator = django_filters.ModelChoiceFilter(queryset=None, label=_("指标"))
    status = django_filters.ChoiceFilter(choices=ReportedStatus.choices, label=_("核实状态"))

    class Meta:
        model = ReportedFigure
        fields = ["year", "unit", "indicator", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["indicator"].queryset = reported_indicators()
        user = getattr(self.request, "user", None)
        if user is not None:
            self.filters["unit"].queryset = Unit.objects.for_user(user)


class ReportedQueueFilter(ReportedFigureFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("status", None)
