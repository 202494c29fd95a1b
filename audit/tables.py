import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from audit.events import KIND_LABELS
from audit.models import AuditEvent


class AuditEventTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"))
    kind = tables.Column(verbose_name=_("事件"))
    success = tables.BooleanColumn(yesno=(_("是"), _("否")))

    class Meta:
        model = AuditEvent
        fields = ("id", "at", "kind", "actor", "ip", "target", "detail", "success")
        order_by = ("-id",)
        empty_text = _("没有符合条件的审计记录")

    def render_kind(self, value):
        return KIND_LABELS.get(value, value)

    def value_kind(self, value):
        return str(KIND_LABELS.get(value, value))

    def value_at(self, value):
        return value
