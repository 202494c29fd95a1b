"""One table row in one call: django-tables2's row block, rendered in Python.

django-tables2's template renders each cell through four template nodes (the ``<td>``'s
attributes, an ``{% if %}`` on ``localize``, the value); on the ranking (90 rows × 12 cells)
that loop was most of the page's time. ``{% table_row row %}`` writes the same HTML: the
same attributes, and every value through Django's own ``render_value_in_context`` (localized
and escaped as ``{{ cell }}`` is) or the ``localize`` / ``unlocalize`` filters.
"""

from django import template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize as localize_filter
from django.templatetags.l10n import unlocalize
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def table_row(context, row) -> str:
    cells = []
    for column, cell in row.items():
        if column.localize is None:
            value = cell
        elif column.localize:
            value = localize_filter(cell)
        else:
            value = unlocalize(cell)
        cells.append(
            "<td %s>%s</td>"
            % (column.attrs["td"].as_html(), render_value_in_context(value, context))
        )
    return format_html("<tr {}>{}</tr>", row.attrs.as_html(), mark_safe("".join(cells)))
