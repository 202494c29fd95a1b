"""The portal's form renderer writes a select exactly as Django's templates do."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from common import renderers
from common.forms import SearchableSelect
from tests.factories import ForeignProjectFactory, InflowFactory

DJANGO = DjangoTemplates()
PORTAL = renderers.PortalFormRenderer()

CHOICES = [
    ("", "全部"),
    ("a&b", 'Tom & "Jerry" <x>'),
    (1, gettext_lazy("外资")),
    (None, "无"),
    ("safe", mark_safe("<b>粗</b>")),
    ("组一", [("g1", "甲"), ("g2", "乙 <i>")]),
    (2.5, 12345),
]


def _widgets():
    yield forms.Select(choices=CHOICES), "a&b"
    yield (
        forms.Select(choices=CHOICES, attrs={"disabled": True, "data-x": 'q"<', "hidden": False}),
        1,
    )
    yield forms.SelectMultiple(choices=CHOICES), ["g2", "safe"]
    yield forms.NullBooleanSelect(), None
    yield forms.NullBooleanSelect(), True
    yield SearchableSelect(choices=CHOICES, attrs={"aria-describedby": "x_help"}), ""
    yield forms.Select(choices=[]), None
    yield forms.Select(choices=[("组", [])]), None


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("case", range(8))
def test_a_select_is_written_as_djangos_template_writes_it(monkeypatch, case, language):
    widget, value = list(_widgets())[case]
    written = []
    original = renderers.select_html
    monkeypatch.setattr(renderers, "select_html", lambda w: written.append(1) or original(w))
    with override(language):
        expected = widget.render("pick", value, attrs={"id": "id_pick"}, renderer=DJANGO)
        got = widget.render("pick", value, attrs={"id": "id_pick"}, renderer=PORTAL)
    assert got == expected
    assert "<select" in got
    assert written == [1]  # by the Python writer, not the templates


def test_other_widgets_and_overridden_options_use_the_templates(monkeypatch):
    calls = []
    monkeypatch.setattr(renderers, "select_html", lambda widget: calls.append(1) or "")
    radio = forms.RadioSelect(choices=CHOICES)
    assert radio.render("r", "a&b", renderer=PORTAL) == radio.render("r", "a&b", renderer=DJANGO)

    class OwnOption(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    own = OwnOption(choices=CHOICES)
    assert own.render("o", "", renderer=PORTAL) == own.render("o", "", renderer=DJANGO)
    assert calls == []


def test_it_is_the_portals_renderer():
    assert isinstance(get_default_renderer(), renderers.PortalFormRenderer)
    assert PORTAL._own_select


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["projects:list", "projects:inflow_list", "projects:verification", "project_form"]
)
def test_pages_are_the_same_with_djangos_renderer(client, commerce, unit_a, page):
    project = ForeignProjectFactory(unit=unit_a, signed_on=dt.date(2025, 1, 5))
    InflowFactory(project=project)
    client.force_login(commerce)
    url = reverse("projects:update", args=[project.pk]) if page == "project_form" else reverse(page)

    def rendered(renderer: str) -> str:
        get_default_renderer.cache_clear()
        try:
            with override_settings(FORM_RENDERER=renderer):
                return TOKEN.sub("", client.get(url).content.decode())
        finally:
            get_default_renderer.cache_clear()

    portal = rendered("common.renderers.PortalFormRenderer")
    assert "<select" in portal
    assert portal == rendered("django.forms.renderers.DjangoTemplates")
