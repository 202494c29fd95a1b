"""One table row in one call: django-tables2's row block, rendered in Python.

django-tables2's template renders each cell through four template nodes (the ``<td>``'s
attributes, an ``{% if %}`` on ``localize``, the value), and for each cell its ``BoundRow``
asks again what does not change from one row to the next: the column's ``<td>`` attributes
(a merge of two dicts, a set of classes, a sort), which arguments its render method takes,
whether the accessor ends on a field with choices. On the ranking (90 rows × 12 cells) and
the lists that was most of the page's time.

``{% table_row row %}`` writes the same HTML. What depends only on the column (and the
record's class) is worked out once per table (``_plan``); each cell then does what
``BoundRow.get_cell`` does: the same value (``get_FOO_display()`` for a field with choices,
the accessor otherwise, the column's default for an empty value), the same render method
with the same arguments, the same link, and the value through Django's own
``render_value_in_context`` (localized and escaped as ``{{ cell }}`` is) or the ``localize`` /
``unlocalize`` filters. A column whose ``<td>`` attributes are computed per cell (a callable)
is asked per cell, as django-tables2 asks it. tests/common/test_table_row.py compares the
output with django-tables2's own on every table of the portal.
"""

from __future__ import annotations

import functools
import inspect
import re

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.templatetags.l10n import localize as localize_filter
from django.templatetags.l10n import unlocalize
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django_tables2 import utils
from django_tables2.columns import DateColumn, DateTimeColumn, ManyToManyColumn
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.linkcolumn import BaseLinkColumn

register = template.Library()

_CELL_ARGUMENTS = frozenset(("value", "record", "column", "bound_column", "bound_row", "table"))


def _static_td(bound_column) -> str | None:
    """The ``<td>`` attributes as HTML when no callable computes them per cell, else None."""
    table = bound_column._table
    merged = dict(table.attrs)
    merged.update(dict(bound_column.column.attrs))
    td = merged.get("td", merged.get("cell", {}))
    if any(callable(value) for value in td.values()):
        return None
    bound_column.current_record = bound_column.current_value = None
    return bound_column.attrs["td"].as_html()


class _FastLink:
    """A ``linkify=True`` column's link (LinkTransform with static attributes, no ``url``,
    no ``reverse_args``), as LinkTransform writes it: ``<a attrs… href="…">content</a>``,
    the static attributes written once per table."""

    def __init__(self, static: str, accessor):
        self.prefix = static + " " if static else ""
        self.accessor = accessor

    def __call__(self, content, record):
        target = self.accessor.resolve(record)
        if not hasattr(target, "get_absolute_url"):
            if not hasattr(record, "get_absolute_url"):
                raise TypeError(f"for linkify=True, '{target}' must have a method get_absolute_url")
            target = record
        url = target.get_absolute_url()
        if url is None:
            return content
        return format_html('<a {}href="{}">{}</a>', mark_safe(self.prefix), url, content)


def _fast_link(bound_column) -> _FastLink | None:
    link = bound_column.link
    if type(link) is not LinkTransform or callable(link.url) or link.reverse_args:
        return None
    attrs = link.attrs or {}
    if "href" in attrs or any(callable(value) for value in attrs.values()):
        return None
    accessor = link.accessor if link.accessor is not None else bound_column.name
    return _FastLink(utils.AttributeDict(attrs).as_html(), utils.A(accessor))


# The template code of django-tables2's DateColumn and DateTimeColumn.
_DATE_CODE = re.compile(r'\{\{ value\|date:"([^"]*)"\|default:default \}\}')
_CONTEXT = Context(autoescape=True)


def _date_format(bound_column) -> str | None:
    """The format of a plain DateColumn / DateTimeColumn (rendered by the column itself, not
    a table's ``render_FOO``), whose cells are then written as its template writes them:
    ``{{ value|date:"…"|default:default }}``."""
    column = bound_column.column
    if type(column) not in (DateColumn, DateTimeColumn) or column.extra_context:
        return None
    if getattr(bound_column.render, "__self__", None) is not column:
        return None
    found = _DATE_CODE.fullmatch(column.template_code or "")
    return found.group(1) if found else None


class _Cell:
    """What one column's cells share: worked out once per table."""

    def __init__(self, bound_column):
        column = bound_column.column
        self.bound_column = bound_column
        self.column = column
        self.accessor = utils.A(bound_column.accessor)
        self.render = bound_column.render
        self.link = bound_column.link
        self.default = bound_column.default
        self.empty_values = column.empty_values
        self.many = isinstance(column, ManyToManyColumn)
        self.link_text = isinstance(column, BaseLinkColumn) and column.text is not None
        self.td = _static_td(bound_column)
        self.localize = column.localize
        arguments, catch_all = utils.signature(self.render)
        self.arguments = None if catch_all else tuple(arguments)
        self.callable = catch_all or all(a in _CELL_ARGUMENTS for a in arguments)
        self.fast_link = _fast_link(bound_column)
        self.date_format = _date_format(bound_column)
        self.display_by_class: dict[type, bool] = {}
        self.choices_by_class: dict[type, tuple | None] = {}

    def _has_choices(self, record) -> bool:
        kind = type(record)
        known = self.display_by_class.get(kind)
        if known is None:
            try:
                field = self.accessor.get_field(record)
            except FieldDoesNotExist:
                field = None
            known = bool(getattr(field, "choices", ()))
            self.display_by_class[kind] = known
        return known

    def _display(self, penultimate, remainder):
        """``penultimate.get_FOO_display()``: Django's own, from the choices looked up once.

        Django's ``_get_FIELD_display`` makes a dict of the field's choices on every call
        (hashing each lazy label); a model's own ``get_FOO_display`` is called as it is."""
        kind = type(penultimate)
        if kind not in self.choices_by_class:
            found = None
            method = inspect.getattr_static(kind, f"get_{remainder}_display", None)
            if (
                isinstance(method, functools.partialmethod)
                and method.func is models.Model._get_FIELD_display
            ):
                field = method.keywords["field"]
                found = (field.attname, dict(make_hashable(field.flatchoices)))
            self.choices_by_class[kind] = found
        found = self.choices_by_class[kind]
        if found is None:
            display = getattr(penultimate, f"get_{remainder}_display", None)
            return display() if display else None
        attname, choices = found
        value = getattr(penultimate, attname)
        return force_str(choices.get(make_hashable(value), value), strings_only=True)

    def value(self, record):
        """(value, rendered now?) as BoundRow._get_and_render_with finds it."""
        if isinstance(record, models.Model) and self._has_choices(record):
            penultimate, remainder = self.accessor.penultimate(record)
            if isinstance(penultimate, models.Model) and getattr(
                penultimate, f"get_{remainder}_display", None
            ):
                return self._display(penultimate, remainder), False
        try:
            return self.accessor.resolve(record), False
        except Exception:
            if self.link_text:
                return None, True
            return None, False

    def _arguments(self, row, record, value) -> dict:
        return {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": row._table,
        }

    def _rendered(self, row, record, value):
        if self.date_format is not None:
            # {{ value|date:"…"|default:default }}, as the column's template writes it.
            shown = date_filter(template_localtime(value), self.date_format)
            return mark_safe(render_value_in_context(shown or self.default, _CONTEXT)), None
        arguments = self._arguments(row, record, value)
        if not self.callable:
            return None, arguments  # an argument no cell has: django-tables2 does not call it
        if self.arguments is None:
            return self.render(**arguments), arguments
        return self.render(**{name: arguments[name] for name in self.arguments}), arguments

    def content(self, row, record):
        value, link_only = self.value(record)
        if not link_only and (value in self.empty_values or (self.many and not value.exists())):
            return self.default
        content, arguments = self._rendered(row, record, value)
        if self.fast_link is not None:
            return self.fast_link(content, record)
        if not self.link:
            return content
        return self.link(content, **(arguments or self._arguments(row, record, value)))

    def html(self, row, record, context) -> str:
        cell = self.content(row, record)
        bound_column = self.bound_column
        bound_column.current_value = cell
        bound_column.current_record = record
        td = self.td if self.td is not None else bound_column.attrs["td"].as_html()
        if self.localize is None:
            value = cell
        elif self.localize:
            value = localize_filter(cell)
        else:
            value = unlocalize(cell)
        return "<td %s>%s</td>" % (td, render_value_in_context(value, context))


def _plan(table) -> list[_Cell]:
    plan = getattr(table, "_portal_row_plan", None)
    if plan is None:
        plan = [_Cell(bound_column) for bound_column in table.columns]
        table._portal_row_plan = plan
    return plan


@register.simple_tag(takes_context=True)
def table_row(context, row) -> str:
    record = row.record
    cells = "".join(cell.html(row, record, context) for cell in _plan(row.table))
    return format_html("<tr {}>{}</tr>", row.attrs.as_html(), mark_safe(cells))
