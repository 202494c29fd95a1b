import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.rounding import shown, shown_percent
from common.templatetags.portal import named, num, pct
from targets import progress


class StatusColumn(tables.Column):
    """A completion rate with its status: colour *and* words, never colour alone."""

    def render(self, value):
        rate, status, falling = value
        if rate is None:
            return "—"
        label = gettext(progress.STATUS_LABELS[status]) if status else ""
        html = format_html(
            '<span class="status-{}">{}</span> <small class="text-muted">{}</small>',
            status or "none",
            pct(rate),
            label,
        )
        if falling:  # its own marker: a fall year on year never changes the status
            html += format_html(
                ' <small class="badge text-bg-light border">{}</small>',
                gettext(progress.FALLING_LABEL),
            )
        return html

    def value(self, value):
        return shown_percent(value[0])

    def order(self, queryset, is_descending):
        from decimal import Decimal

        floor = Decimal("-1")
        ordered = sorted(
            queryset.data,
            key=lambda row: (row[self.name][0] is None, row[self.name][0] or floor),
        )
        if is_descending:
            known = [r for r in ordered if r[self.name][0] is not None][::-1]
            ordered = known + [r for r in ordered if r[self.name][0] is None]
        queryset.data = ordered
        return queryset, True


class ScoreColumn(tables.Column):
    """A score in points (得分, 加减分, 综合得分), exact in the row and shown 四舍五入."""

    def render(self, value):
        return num(value)

    def value(self, value):
        return shown(value)


def ranking_table_class(indicators):
    """A table class with one status column per indicator (the indicators are data)."""
    attrs = {
        "place": tables.Column(verbose_name=_("名次"), orderable=False),
        "unit": tables.Column(verbose_name=_("责任单位"), orderable=False),
        "kind": tables.Column(verbose_name=_("类型")),
        "category": tables.Column(verbose_name=_("类别")),
        "score": ScoreColumn(verbose_name=_("综合得分"), orderable=False),
        "base": ScoreColumn(verbose_name=_("得分"), orderable=False),
        "adjustment": ScoreColumn(verbose_name=_("加减分"), orderable=False),
    }
    for ind in indicators:
        attrs[ind.code] = StatusColumn(verbose_name=named(ind))

    def render_unit(self, value, record):
        if record["link"]:
            return format_html('<a href="{}">{}</a>', record["link"], value)
        return value

    attrs["render_unit"] = render_unit
    attrs["Meta"] = type(
        "Meta",
        (),
        {"attrs": {"class": "table table-sm table-hover"}, "empty_text": _("没有下达任务的单位")},
    )
    return type("RankingTable", (tables.Table,), attrs)


def unit_link(unit, user) -> str:
    """The unit's dashboard if the user may open it (the same rule as Unit.for_user)."""
    if user.sees_all_units or (user.is_unit_staff and user.unit_id == unit.pk):
        return reverse("targets:unit_dashboard", args=[unit.pk])
    return ""
