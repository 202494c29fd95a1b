"""Sign-in events into the audit log: Django's login, failed login and logout signals, and
django-axes' lockout signal (connected in AuditConfig.ready)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.events import record


@receiver(user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs) -> None:
    record("login", user=user, request=request, target=user.get_username())


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:150]
    record("login_failed", request=request, target=username, success=False)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record("logout", user=user, request=request, target=user.get_username())


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def on_lockout(sender, request, username, ip_address, **kwargs) -> None:
    record(
        "lockout",
        request=request,
        target=str(username or "")[:150],
        detail=f"连续登录失败，已锁定（来源 {ip_address}）",
        success=False,
    )
