"""Table columns that show figures through the one formatting filter set (portal.num)."""

import django_tables2 as tables
from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.templatetags.portal import num

RIGHT = {"td": {"class": "text-end"}, "th": {"class": "text-end"}, "tf": {"class": "text-end"}}


class AmountColumn(tables.Column):
    """An amount: "85,000.00" on the page (num), the Decimal itself in exports (formatted
    #,##0.00 by common.xlsx).

    ``totals`` adds a 合计 row: a list of ``(label, Q)``, one sum per entry over the WHOLE
    filtered list (not the page), all in one aggregate query. Amounts in different measures
    (外资 万美元, 内资 万元) are never added together: each gets its own entry and line.

    The sums read at most LIST_COUNT_CAP + 1 rows (the bound of the lists' exact count,
    common.paginator): past it the row says so instead of summing a million rows on every
    page view; the 1–N月 reports give the year's totals from the rollup.
    """

    def __init__(self, *args, totals=None, **kwargs):
        kwargs.setdefault("attrs", RIGHT)
        self.totals = totals
        if totals is not None:
            kwargs.setdefault("footer", self.total_footer)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return num(value)

    def value(self, value):
        return value

    def total_footer(self, bound_column, table):
        """One line per entry that has rows; "—" when the list is empty."""
        queryset = getattr(table.data, "data", None)
        if not isinstance(queryset, QuerySet):
            return ""
        field = str(bound_column.accessor).replace(".", "__")
        cap = settings.LIST_COUNT_CAP
        sums = queryset.order_by()[: cap + 1].aggregate(
            rows=Count("*"),  # not a column: the sum can come from an index alone
            **{f"total_{i}": Sum(field, filter=q) for i, (_label, q) in enumerate(self.totals)},
        )
        if sums["rows"] > cap:
            return _(
                "筛选结果超过 %(cap)s 条，不计合计；请缩小筛选范围（全年合计见 1–N月报表）"
            ) % {"cap": f"{cap:,}"}
        lines = [
            (_("%(label)s：%(amount)s") % {"label": label, "amount": num(sums[f"total_{i}"])},)
            for i, (label, _q) in enumerate(self.totals)
            if sums[f"total_{i}"] is not None
        ]
        if not lines:
            return "—"
        return format_html_join(mark_safe("<br>"), '<span class="text-nowrap">{}</span>', lines)
