import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from common.roles import Role


@pytest.mark.django_db
def test_a_clerk_must_belong_to_a_unit():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nounit", role=Role.UNIT_STAFF, unit=None)


def test_only_clerks_belong_to_a_unit(unit_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bureau", role=Role.COMMERCE, unit=unit_a)


@pytest.mark.django_db
def test_an_unknown_role_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="odd", role="mayor")


def test_a_role_change_is_in_the_history(clerk):
    before = clerk.history.count()
    clerk.first_name = "小王"
    clerk.save()
    assert clerk.history.count() == before + 1
    assert clerk.history.first().first_name == "小王"
    assert "password" not in [f.name for f in clerk.history.model._meta.fields]
