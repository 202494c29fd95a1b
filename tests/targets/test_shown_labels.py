"""Labels that pure modules return in Chinese (targets.progress statuses, the 1–N月 period)
are translated when a page shows them; exports and commands keep the Chinese."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from targets.models import Indicator
from targets.services import quotas_save

YEAR = 2025
PERIOD = {"year": YEAR, "as_of": f"{YEAR}-06-30"}


@pytest.fixture
def behind(unit_a, commerce):
    """A unit with a quota and nothing done by 30 June: 严重滞后."""
    ind = Indicator.objects.get(code="fdi_actual")
    quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, ind.pk): Decimal("100")},
        district_values={ind.pk: Decimal("100")},
        user=commerce,
    )


@pytest.fixture(autouse=True)
def back_to_chinese():
    """The locale middleware leaves the language of the last request active in the thread;
    the next test must not run in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    "url_name", ["targets:dashboard", "targets:ranking", "reporting:park", "reporting:pipeline"]
)
def test_the_period_label_is_english_on_english_pages(client_as, behind, url_name):
    html = english(client_as("commerce")).get(reverse(url_name), PERIOD).content.decode()
    assert "months 1–6" in html and "month 1<" in html  # the heading and the month picker
    assert not re.search(r"\d月", html)


def test_statuses_are_english_on_english_pages(client_as, behind, unit_a):
    client = english(client_as("commerce"))
    for url in (
        reverse("targets:dashboard"),
        reverse("targets:ranking"),
        reverse("targets:unit_dashboard", args=[unit_a.pk]),
    ):
        html = client.get(url, PERIOD).content.decode()
        assert "Seriously behind" in html, url
        assert "严重滞后" not in html, url


def test_chinese_pages_and_the_export_keep_the_chinese_label(client_as, behind):
    client = client_as("commerce")
    html = client.get(reverse("targets:dashboard"), PERIOD).content.decode()
    assert "2025 年 1–6月 招商引资进度" in html and "严重滞后" in html
    export = english(client).get(reverse("targets:dashboard"), {**PERIOD, "export": "xlsx"})
    assert export.status_code == 200
    book = load_workbook(BytesIO(export.content))
    assert book.sheetnames[0] == "1–6月汇总"
