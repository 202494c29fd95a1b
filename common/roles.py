"""The roles of the portal (four business roles, three administrators) and the named groups
of them that the policies build on.

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
    # Separated administration (三权分立, 等保 2.0): each administrator does one job and
    # none of them reads business data.
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# The administrators: they manage accounts, security policy or read the audit log, and
# reach no business page (accounts.middleware refuses those pages to them).
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The business roles: everyone who uses the portal's shared pages (targets, projects, money).
ALL_ROLES = frozenset(Role.values) - ADMIN_ROLES
# Roles whose members see every unit's records (read access); unit staff see only their own.
DISTRICT_WIDE_ROLES = frozenset({Role.COMMERCE, Role.FINANCE, Role.LEADERSHIP})
# Who registers a unit's projects, money and reward claims: its staff and the commerce bureau.
UNIT_EDITORS = frozenset({Role.UNIT_STAFF, Role.COMMERCE})
# Roles that do casework (import workbooks, follow claims); leadership only reads.
CASEWORK_ROLES = frozenset({Role.UNIT_STAFF, Role.COMMERCE, Role.FINANCE})
# The two bureaus: they keep district-wide records such as referrers.
BUREAUS = frozenset({Role.COMMERCE, Role.FINANCE})
# Who must prove a second factor (TOTP or a recovery code) when PORTAL_REQUIRE_SECOND_FACTOR
# is on: everyone with district-wide power and every administrator.
SECOND_FACTOR_ROLES = DISTRICT_WIDE_ROLES | ADMIN_ROLES
