"""Table columns that show figures through the one formatting filter set (portal.num)."""

import django_tables2 as tables

from common.templatetags.portal import num

RIGHT = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class AmountColumn(tables.Column):
    """An amount: "85,000.00" on the page (num), the Decimal itself in exports (formatted
    #,##0.00 by common.xlsx)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", RIGHT)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return num(value)

    def value(self, value):
        return value
