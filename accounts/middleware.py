"""The security gate, after the login check: before any page, in this order,

1. a user who must prove a second factor (accounts.policy) and has not in this session goes
   to verify it (or to enrol an authenticator first);
2. a user whose password must change (one-time password, expiry) goes to change it;
3. an administrator (三权分立) reaches only the account pages, the audit pages and their own
   password page: every business page answers 403 whatever its own rule says, so a page
   added later cannot leak business data to them by a too-wide rule.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import policy
from accounts.services import has_second_factor

# Reachable in every state: signing in and out, the language switch, the health probe.
ALWAYS = frozenset({"login", "logout", "set_language", "healthz"})
SECOND_FACTOR_PAGES = frozenset({"accounts:otp_verify", "accounts:otp_enrol", "accounts:otp_codes"})
PASSWORD_PAGES = frozenset({"password_change", "password_change_done"})
# Where administrators may go: their own namespaces, their inbox of reminders (and Django's
# admin, which lets in superusers only).
ADMIN_NAMESPACES = frozenset({"accounts", "audit", "admin", "notifications"})


def _redirect(url_name: str, request):
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


class SecurityGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None:
            return None
        name = match.view_name
        if name in ALWAYS:
            return None
        if policy.second_factor_required(user) and not user.is_verified():
            if name in SECOND_FACTOR_PAGES:
                return None
            target = "accounts:otp_verify" if has_second_factor(user) else "accounts:otp_enrol"
            return _redirect(target, request)
        reason = policy.password_change_due(user)
        if reason and name not in PASSWORD_PAGES | SECOND_FACTOR_PAGES:
            if reason == "expired":
                messages.warning(request, _("您的密码已过期，请先修改密码。"))
            else:
                messages.warning(request, _("您正在使用一次性密码，请先设置自己的新密码。"))
            return redirect("password_change")
        if user.is_administrator:
            if name == "home":
                return redirect("accounts:admin_home")
            namespace = name.split(":", 1)[0] if ":" in name else ""
            if namespace not in ADMIN_NAMESPACES and name not in PASSWORD_PAGES:
                raise PermissionDenied("administrators do not read business data")
        return None
