"""The kept signatures of common.tables_speed answer as django-tables2's own."""

import datetime as dt
import functools

import django_tables2 as tables
import pytest
from django_tables2 import utils
from django_tables2.columns import templatecolumn

from common import tables_speed


class Column:
    def render(self, value, record):
        return value

    def render_all(self, **kwargs):
        return kwargs

    def render_star(self, *args, value=None):
        return value

    @staticmethod
    def plain(value):
        return value

    @classmethod
    def of_class(cls, value, bound_column):
        return value


def free(value, record=None, **extra):
    return value


CASES = [
    Column().render,
    Column().render_all,
    Column().render_star,
    Column.plain,
    Column.of_class,
    free,
    lambda value: value,
    lambda: None,
    functools.partial(free, record=1),
]


@pytest.mark.parametrize("fn", CASES)
def test_the_kept_signature_is_django_tables2s(fn):
    expected = tables_speed._original(fn)
    assert tables_speed.cached_signature(fn) == expected
    assert tables_speed.cached_signature(fn) == expected  # and again, from what was kept


def test_it_is_installed():
    assert utils.signature is tables_speed.cached_signature
    assert templatecolumn.Template is tables_speed.compiled_template


def test_a_date_column_compiles_its_template_once_and_renders_as_before():
    class Dates(tables.Table):
        day = tables.DateColumn(format="Y-m-d")

    tables_speed.compiled_template.cache_clear()
    rows = [{"day": dt.date(2026, 1, n)} for n in range(1, 6)]
    html = [Dates(rows).rows[i].get_cell("day") for i in range(5)]
    assert html == [f"2026-01-0{n}" for n in range(1, 6)]
    assert tables_speed.compiled_template.cache_info().misses == 1


def test_call_with_appropriate_still_passes_only_what_a_method_asks_for():
    assert utils.call_with_appropriate(Column().render, {"value": 1, "record": 2, "x": 3}) == 1
    assert utils.call_with_appropriate(Column().render_all, {"value": 1}) == {"value": 1}
    assert utils.call_with_appropriate(Column().render, {"value": 1}) is None


def test_a_template_name_cell_in_a_page_is_rendered_in_the_pages_context(
    client_as, unit_a, monkeypatch
):
    """The verification queue's buttons: their forms carry the page's CSRF token and the
    queue's own address, with no context processor run again for the cell."""
    from django.urls import reverse

    from tests.factories import InflowFactory, ProjectFactory

    InflowFactory(project=ProjectFactory(unit=unit_a), voucher_no="Q-1")
    calls = []
    original = tables_speed._original_render

    def spy(template_column, *args, **kwargs):
        if not template_column.template_code:  # the dates (template_code) keep django-tables2's way
            calls.append(template_column)
        return original(template_column, *args, **kwargs)

    monkeypatch.setattr(tables_speed, "_original_render", spy)
    page = client_as("commerce").get(reverse("projects:verification")).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    verify_form = page.split("/verify/")[1][:400]
    assert token in verify_form
    assert 'name="next" value="/projects/inflows/verification/"' in verify_form
    assert calls == []  # every cell took the page's context
