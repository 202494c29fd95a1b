"""List filters open on "全部" (all), not Django's "---------"."""

import re

import pytest
from django.urls import reverse


def first_options(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}> on the page"
    return re.search(r"<option[^>]*>([^<]*)</option>", select.group(1)).group(1)


@pytest.mark.parametrize(
    ("url_name", "selects"),
    [
        ("projects:list", ["unit", "capital_type", "stage", "event"]),
        ("projects:inflow_list", ["unit", "capital_type", "status"]),
        ("rewards:claim_list", ["unit", "kind", "status"]),
        ("units:list", ["kind", "category"]),
    ],
)
def test_filter_selects_default_to_all(client_as, url_name, selects):
    html = client_as("commerce").get(reverse(url_name)).content.decode()
    assert "---------" not in html
    for name in selects:
        assert first_options(html, name) == "全部"
