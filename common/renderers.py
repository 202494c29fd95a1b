"""The form renderer: Django's own, with the ``<select>`` written in Python.

Django renders a select through two templates per option (``select_option.html`` and its
``attrs.html``, each an ``{% include %}``): the district's ~90 units made the unit picker of
every list's filter cost 12–25 ms per page, more than the rest of the form. For a select
drawn by Django's own templates (not one an app overrides, and with Django's own option
template), :func:`select_html` writes the same characters: every name, value and label
through the template engine's own escaping and the ``stringformat`` filter, the same
whitespace. Anything else is rendered by the templates as before.
tests/common/test_renderers.py compares the two on many kinds of select and on the pages.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import django
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
ATTRS = "django/forms/widgets/attrs.html"
_DJANGO_TEMPLATES = Path(django.__file__).resolve().parent / "forms" / "templates"
_CONTEXT = Context(autoescape=True)


def _shown(value) -> str:
    """``{{ value }}``."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` (an ``is_safe`` filter: safe in, safe out)."""
    text = stringformat(value, "s")
    return _shown(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    """``{% include "django/forms/widgets/attrs.html" %}``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + _shown(name))
            if value is not True:
                out.append('="' + _formatted(value) + '"')
    return "".join(out)


def select_html(widget: dict) -> str:
    """``select.html`` for ``widget`` (the widget's context), as the template writes it."""
    out = ['<select name="', _shown(widget["name"]), '"', _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if group_name:
            out.append('\n  <optgroup label="' + _shown(group_name) + '">')
        for option in group_choices:
            out.append(
                '\n  <option value="'
                + _formatted(option["value"])
                + '"'
                + _attrs(option["attrs"])
                + ">"
                + _shown(option["label"])
                + "</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class PortalFormRenderer(DjangoTemplates):
    """FORM_RENDERER: Django's DjangoTemplates renderer, selects written by select_html."""

    @cached_property
    def _own_select(self) -> bool:
        """The select and option templates found are Django's own (no app overrides them)."""
        return all(
            Path(self.get_template(name).origin.name).resolve().is_relative_to(_DJANGO_TEMPLATES)
            for name in (SELECT, OPTION, ATTRS)
        )

    def render(self, template_name, context, request=None):
        if template_name == SELECT and self._own_select:
            widget = context["widget"]
            if all(
                option.get("template_name") == OPTION
                for _name, group, _index in widget["optgroups"]
                for option in group
            ):
                return select_html(widget)
        return super().render(template_name, context, request)
