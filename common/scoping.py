"""The one scoping mechanism: every queryset of unit-owned records narrows itself per user.

Views first check the *role* (a page outside the role answers 403), then look objects up
through ``Model.objects.for_user(user)`` so that an object of another unit answers 404.
"""

from __future__ import annotations

from django.db import models

from common.roles import DISTRICT_WIDE_ROLES, Role


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its model to the owning unit's primary key.

    Subclasses set ``unit_lookup`` (``"pk"`` for Unit itself, ``"unit"`` for a project,
    ``"project__unit"`` for an inflow).
    """

    unit_lookup: str = "unit"
    # The owning unit kept on the row itself, a copy the database keeps equal to the one at
    # the end of ``unit_lookup`` (Inflow.unit, kept by triggers): a unit's rows are asked by
    # it alone, so that an index on it serves them. Asking by both paths would be the same
    # rows, but PostgreSQL takes the two conditions for independent and expects a hundredth
    # of a unit's rows: it then sorts all of them instead of walking the index.
    kept_unit_lookup: str | None = None

    def for_user(self, user) -> ScopedQuerySet:
        """What ``user`` may see: everything for district-wide roles, one unit for its staff."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        role = getattr(user, "role", "")
        if role in DISTRICT_WIDE_ROLES:
            return self
        if role == Role.UNIT_STAFF and user.unit_id is not None:
            return self.for_unit(user.unit_id)
        return self.none()

    def for_unit(self, unit_id) -> ScopedQuerySet:
        """The rows of one unit: by the copy kept on the row where there is one."""
        return self.filter(**{self.kept_unit_lookup or self.unit_lookup: unit_id})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
