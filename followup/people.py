"""Who is reminded: active accounts by role, and a unit's clerks."""

from accounts.models import User
from common.roles import Role


def staff(role: str) -> list:
    return list(User.objects.filter(role=role, is_active=True))


def commerce_staff() -> list:
    return staff(Role.COMMERCE)


def clerks_of(unit_ids) -> list:
    return list(
        User.objects.filter(role=Role.UNIT_STAFF, is_active=True, unit_id__in=list(unit_ids))
    )


def unit_clerks(unit_id: int) -> list:
    return clerks_of([unit_id])
