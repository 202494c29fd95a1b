"""How views and services ask the policies (``<app>/rules.py``).

Anonymous users never reach a view: LoginRequiredMiddleware sends them to the login page.
A signed-in user whom the rule refuses gets 403.
"""

from __future__ import annotations

from collections.abc import Callable

import rules
from django.core.exceptions import PermissionDenied
from rules.contrib.views import PermissionRequiredMixin as RulesPermissionRequiredMixin
from rules.contrib.views import permission_required as rules_permission_required


def permission_required(perm: str, fn: Callable | None = None) -> Callable:
    """django-rules' view decorator, answering 403 (never a login redirect) to a signed-in
    user the rule refuses. ``fn(request, *args, **kwargs)`` returns the object to check;
    without it the rule answers for the role."""
    return rules_permission_required(perm, fn=fn, raise_exception=True)


class PermissionRequiredMixin(RulesPermissionRequiredMixin):
    """Class-based counterpart of :func:`permission_required`; set ``permission_required``."""

    raise_exception = True


def has_rule(user, perm: str, obj=None) -> bool:
    """Ask the policy directly; ``user`` may be ``None`` (the command line, 命令行)."""
    return rules.has_perm(perm, user, obj)


def require(user, perm: str, obj=None) -> None:
    """For services: PermissionDenied unless the policy lets ``user`` do ``perm`` (on
    ``obj``), so that no form, import or command can go around the rule a page checks."""
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(perm)
