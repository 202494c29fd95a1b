"""Two things django-tables2 redoes for every cell it renders, done once and kept:

- it asks ``inspect.signature`` of a column's render method (``django_tables2.utils.signature``,
  called by ``call_with_appropriate``): on the ranking (90 units × 12 columns) that was about
  a third of the page's time. The answer depends only on the function;
- a TemplateColumn with ``template_code`` (every DateColumn and DateTimeColumn: the dates of
  every list) compiles a new ``Template`` from that code for each cell: a hundred compiles
  per list page. A compiled template is reusable, so one is kept per code;
- a TemplateColumn with ``template_name`` (the verification queue's buttons and boxes)
  renders its template for each cell with a flattened copy of the page's context and the
  request, which runs every context processor again, per cell: most of the queue's time.
  In a page (``{% render_table %}``, which hands the table the page's context) the cell is
  rendered in that context instead, as ``template_code`` cells already are: the same
  variables (request, csrf_token, perms …), computed once per page.

Installed by CommonConfig.ready(); the answers are django-tables2's own
(tests/common/test_tables_speed.py compares both on methods, functions, lambdas, partials and
catch-all arguments).
"""

from __future__ import annotations

import inspect
from functools import lru_cache

from django.template import Template
from django.template.loader import get_template
from django_tables2 import utils
from django_tables2.columns import templatecolumn

_original = utils.signature
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@lru_cache(maxsize=4096)
def _of(function, bound: bool) -> tuple[tuple[str, ...], str | None]:
    parameters = list(inspect.signature(function, **utils.SIGNATURE_KWARGS).parameters.values())
    if bound and parameters and parameters[0].kind in _POSITIONAL:
        parameters = parameters[1:]  # a bound method's ``self``, as inspect leaves it out
    args, keywords = [], None
    for parameter in parameters:
        if parameter.kind == parameter.VAR_KEYWORD:
            keywords = parameter.name
        elif parameter.kind != parameter.VAR_POSITIONAL:
            args.append(parameter.name)
    return tuple(args), keywords


def cached_signature(fn):
    """``utils.signature(fn)``, kept per underlying function."""
    function = getattr(fn, "__func__", None)
    try:
        if function is not None and inspect.isfunction(function) and inspect.ismethod(fn):
            return _of(function, True)
        if inspect.isfunction(fn):
            return _of(fn, False)
    except TypeError:
        pass
    return _original(fn)  # anything else (a partial, a callable object): asked every time


@lru_cache(maxsize=256)
def compiled_template(template_code: str) -> Template:
    """``Template(template_code)``, compiled once per code (TemplateColumn's render)."""
    return Template(template_code)


_original_render = templatecolumn.TemplateColumn.render


def render_in_page_context(self, record, table, value, bound_column, **kwargs):
    """TemplateColumn.render: a ``template_name`` cell of a table rendered in a page is
    rendered in the page's context; anything else as django-tables2 does it."""
    page_context = getattr(table, "context", None)
    if self.template_code or page_context is None:
        return _original_render(self, record, table, value, bound_column, **kwargs)
    context = self.get_context_data(
        record=record, table=table, value=value, bound_column=bound_column, **kwargs
    )
    with page_context.update(context):
        return get_template(self.template_name).template.render(page_context)


def install() -> None:
    utils.signature = cached_signature
    templatecolumn.Template = compiled_template
    templatecolumn.TemplateColumn.render = render_in_page_context
