"""Role gates for views. Anonymous users never get here: LoginRequiredMiddleware sends them
to the login page. A signed-in user outside the allowed roles gets 403."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def user_has_role(user, roles: Iterable[str]) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") in roles)


def role_required(*roles: str) -> Callable:
    """Decorator for function views: 403 unless the user holds one of ``roles``."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not user_has_role(request.user, allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


class RoleRequiredMixin:
    """Class-based counterpart of :func:`role_required`; set ``allowed_roles``."""

    allowed_roles: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if not user_has_role(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
