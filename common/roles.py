"""The four roles of the portal and the groups of them that views check against."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    UNIT_STAFF = "unit_staff", _("单位填报员")
    COMMERCE = "commerce", _("商务局")
    FINANCE = "finance", _("财政局")
    LEADERSHIP = "leadership", _("领导")


ALL_ROLES = frozenset(Role.values)
# Roles whose members see every unit's records (read access); unit staff see only their own.
DISTRICT_WIDE_ROLES = frozenset({Role.COMMERCE, Role.FINANCE, Role.LEADERSHIP})
