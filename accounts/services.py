from __future__ import annotations

from django.db import transaction

from accounts.models import User
from common.roles import Role
from units.models import Unit


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    full_name: str = "",
    is_superuser: bool = False,
) -> tuple[User, bool]:
    """Create the account or bring it back to the given role, unit and password."""
    user, created = User.objects.get_or_create(username=username)
    user.role = role
    user.unit = unit if role == Role.UNIT_STAFF else None
    user.last_name = full_name
    user.is_active = True
    user.is_staff = is_superuser
    user.is_superuser = is_superuser
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user, created
