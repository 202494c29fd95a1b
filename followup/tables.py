import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from followup.models import Supervision


class SupervisionTable(tables.Table):
    number = tables.Column(
        verbose_name=_("编号"), accessor="pk", linkify=lambda record: record.get_absolute_url()
    )
    unit = tables.Column(verbose_name=_("责任单位"), order_by=("unit__display_order",))
    matter = tables.Column(verbose_name=_("督办事项"))
    deadline = tables.DateColumn(verbose_name=_("办理期限"))
    state = tables.Column(verbose_name=_("状态"))
    opened_at = tables.DateColumn(verbose_name=_("督办时间"))

    class Meta:
        model = Supervision
        fields = ("number", "unit", "matter", "deadline", "state", "opened_at")
        empty_text = _("没有符合条件的督办单")

    def render_number(self, record):
        return record.number

    def value_number(self, record):
        return record.number

    def render_matter(self, value):
        return value if len(value) <= 60 else value[:59] + "…"

    def render_deadline(self, record, value):
        if record.is_overdue(timezone.localdate()):
            return format_html(
                '<span class="text-danger fw-bold">{} · {}</span>', value.isoformat(), _("已逾期")
            )
        return value.isoformat()

    def value_deadline(self, value):
        return value
