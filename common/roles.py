"""The four roles of the portal and the named groups of them that the policies build on.

A role list is written here once; each app's ``rules.py`` combines these sets into its
predicates, and views, templates and services ask those predicates (never a role list).
"""

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
# Who registers a unit's projects, money and reward claims: its staff and the commerce bureau.
UNIT_EDITORS = frozenset({Role.UNIT_STAFF, Role.COMMERCE})
# Roles that do casework (import workbooks, follow claims); leadership only reads.
CASEWORK_ROLES = frozenset({Role.UNIT_STAFF, Role.COMMERCE, Role.FINANCE})
# The two bureaus: they keep district-wide records such as referrers.
BUREAUS = frozenset({Role.COMMERCE, Role.FINANCE})
