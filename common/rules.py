"""Predicates on roles that every app's policy (``<app>/rules.py``) is built from.

Conventions of the portal's policies (django-rules):

- ``user`` is a portal account, or ``None`` for the system actor 命令行: management commands
  and the command-line import act as ``None`` (history names the OS user), and ``is_system``
  lets it pass the predicates a command needs.
- Without an object a rule answers for the role ("may this user ever do it?"): views check
  that first, so a page outside the role answers 403 before any lookup. With an object it
  also answers for that object (its unit, its state).
- Another unit's object is not a permission question: scoped querysets
  (``Model.objects.for_user(user)``) answer 404 for it before the rule is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import rules

from common.roles import (
    ADMIN_ROLES,
    ALL_ROLES,
    BUREAUS,
    CASEWORK_ROLES,
    DISTRICT_WIDE_ROLES,
    UNIT_EDITORS,
    Role,
)


def _role(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if not getattr(user, "is_active", False):
        return ""
    return getattr(user, "role", "") or ""


def role_in(roles: Iterable[str], name: str) -> rules.Predicate:
    """A predicate: the user is signed in, active and holds one of ``roles``."""
    allowed = frozenset(roles)
    return rules.Predicate(lambda user: _role(user) in allowed, name=name)


@rules.predicate
def is_system(user) -> bool:
    """The command line (命令行): commands call services with ``user=None``."""
    return user is None


has_portal_role = role_in(ALL_ROLES, "has_portal_role")
is_unit_staff = role_in({Role.UNIT_STAFF}, "is_unit_staff")
is_commerce = role_in({Role.COMMERCE}, "is_commerce")
is_finance = role_in({Role.FINANCE}, "is_finance")
is_leadership = role_in({Role.LEADERSHIP}, "is_leadership")
is_district_wide = role_in(DISTRICT_WIDE_ROLES, "is_district_wide")
is_unit_editor = role_in(UNIT_EDITORS, "is_unit_editor")
is_caseworker = role_in(CASEWORK_ROLES, "is_caseworker")
is_bureau = role_in(BUREAUS, "is_bureau")
# Separated administration (三权分立): none of these is in ALL_ROLES or DISTRICT_WIDE_ROLES,
# so no business predicate above lets an administrator in.
is_system_admin = role_in({Role.SYSTEM_ADMIN}, "is_system_admin")
is_security_admin = role_in({Role.SECURITY_ADMIN}, "is_security_admin")
is_audit_admin = role_in({Role.AUDIT_ADMIN}, "is_audit_admin")
is_administrator = role_in(ADMIN_ROLES, "is_administrator")


def of_own_unit(unit_id_of: Callable[[object], int | None], name: str) -> rules.Predicate:
    """The object belongs to the user's unit (always true for district-wide roles and the
    command line, and without an object)."""

    def check(user, obj) -> bool:
        if obj is None or user is None or _role(user) in DISTRICT_WIDE_ROLES:
            return True
        return _role(user) == Role.UNIT_STAFF and unit_id_of(obj) == user.unit_id

    return rules.Predicate(check, name=name)


def without_object_or(test: Callable[[object], bool], name: str) -> rules.Predicate:
    """True without an object (the role question), else ``test(obj)``: a state condition."""
    return rules.Predicate(lambda user, obj: obj is None or bool(test(obj)), name=name)


# Every signed-in role may use the portal's shared pages (lists, dashboards, detail pages,
# whose objects are scoped to the user's unit).
rules.add_perm("common.use_portal", has_portal_role)
