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
    # A second path to the same unit kept on the row itself (a copy the database keeps equal,
    # e.g. Inflow.unit): also filtered on, so that an index on it can serve a unit's rows.
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
        """The rows of one unit: by the path to it, and by its kept copy where there is one."""
        conditions = {self.unit_lookup: unit_id}
        if self.kept_unit_lookup:
            conditions[self.kept_unit_lookup] = unit_id
        return self.filter(**conditions)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
