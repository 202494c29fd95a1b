"""Quotas and district tasks are read-only in the admin: they decide figures and deposits,
so they change only through targets.services (the quota grid, the import), which hold the
settled year's lock."""

from decimal import Decimal as D

from django.urls import reverse

from targets.models import DistrictTask, Indicator, Quota
from targets.services import year_get_or_create
from tests.factories import UserFactory


def test_the_admin_shows_quotas_and_district_tasks_but_changes_nothing(client, unit_a):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    year = year_get_or_create(2025)
    indicator = Indicator.objects.get(code="fdi_actual")
    quota = Quota.objects.create(year=year, unit=unit_a, indicator=indicator, amount=D("100"))
    task = DistrictTask.objects.create(year=year, indicator=indicator, amount=D("900"))
    for name, obj in (("quota", quota), ("districttask", task)):
        change = reverse(f"admin:targets_{name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200  # shown, read-only
        assert client.get(reverse(f"admin:targets_{name}_add")).status_code == 403
        assert client.post(change, {"amount": "1"}).status_code == 403
        delete = reverse(f"admin:targets_{name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    quota.refresh_from_db()
    task.refresh_from_db()
    assert (quota.amount, task.amount) == (D("100"), D("900"))
