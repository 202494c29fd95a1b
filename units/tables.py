import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from units.models import Unit


class UnitTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    is_active = tables.BooleanColumn(yesno=(_("是"), _("否")))

    class Meta:
        model = Unit
        fields = ("display_order", "code", "name", "kind", "category", "is_active")
        order_by = ("display_order",)
        empty_text = _("没有符合条件的单位")
