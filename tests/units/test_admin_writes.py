"""The unit admin writes through the unit services (STYLE.md: the admin goes through
services or is read-only): the same validation, and a history row for each change."""

from __future__ import annotations

import pytest

from units.models import Unit

pytestmark = pytest.mark.django_db


def form(**changes) -> dict:
    data = {
        "code": "t77",
        "name": "测试镇",
        "kind": "township",
        "category": "",
        "is_active": "on",
        "display_order": "5",
    }
    data.update(changes)
    return data


def test_it_creates_a_unit_through_the_service(admin_client):
    response = admin_client.post("/admin/units/unit/add/", form())
    assert response.status_code == 302
    unit = Unit.objects.get(code="T77")  # the service upper-cases the code
    assert unit.history.count() == 1


def test_it_updates_through_the_service_and_keeps_the_history(admin_client):
    admin_client.post("/admin/units/unit/add/", form())
    unit = Unit.objects.get(code="T77")
    response = admin_client.post(f"/admin/units/unit/{unit.pk}/change/", form(name="新名镇"))
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "新名镇"
    assert unit.history.count() == 2
