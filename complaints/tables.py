import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.rounding import when_shown
from complaints.models import Complaint


def _row_class(record) -> str:
    return "table-danger" if record.overdue else ""


class ComplaintTable(tables.Table):
    number = tables.Column(linkify=True)
    subject = tables.Column(linkify=True)
    unit = tables.Column(verbose_name=_("责任单位"), order_by=("unit__display_order",))
    deadline = tables.Column()
    overdue = tables.Column(
        verbose_name=_("是否超期"), accessor="overdue", orderable=False, empty_values=()
    )

    class Meta:
        model = Complaint
        fields = (
            "number",
            "received_on",
            "channel",
            "complainant",
            "enterprise",
            "subject",
            "unit",
            "assigned_on",
            "deadline",
            "state",
            "closed_on",
            "overdue",
        )
        empty_text = _("没有符合条件的投诉")
        row_attrs = {"class": _row_class, "data-overdue": lambda record: int(record.overdue)}

    def render_overdue(self, value):
        if value:
            return format_html('<strong class="status-red">{}</strong>', _("已超期"))
        return "—"

    def render_received_on(self, value):
        return when_shown(value)

    def render_assigned_on(self, value):
        return when_shown(value)

    def render_closed_on(self, value):
        return when_shown(value)

    def render_deadline(self, value, record):
        text = when_shown(value)
        if record.overdue:
            return format_html('<span class="status-red">{}</span>', text)
        return text

    def value_overdue(self, value):
        return str(_("已超期")) if value else ""

    def value_deadline(self, value):
        return value

    def value_received_on(self, value):
        return value

    def value_assigned_on(self, value):
        return value

    def value_closed_on(self, value):
        return value


class ComplaintContactTable(ComplaintTable):
    """The commerce bureau's list: with the complainant's contact details."""

    class Meta(ComplaintTable.Meta):
        fields = (
            *ComplaintTable.Meta.fields[:4],
            "phone",
            "contact",
            *ComplaintTable.Meta.fields[4:],
        )
        sequence = fields
