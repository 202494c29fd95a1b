"""The one way to write the security audit log: ``record(kind, ...)``.

Every app above writes its security events here (STYLE.md: audit knows no domain app).
Kinds are short codes (``login``, ``login_failed``, ``export``, ``settlement_confirm`` …);
the pages show their labels from :data:`KIND_LABELS`, which apps extend by adding codes here.
"""

from __future__ import annotations

import getpass
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.chain import GENESIS, digest, event_fields
from audit.models import AuditEvent, AuditHead
from common.security import client_ip

KIND_LABELS = {
    "login": _("登录成功"),
    "login_failed": _("登录失败"),
    "lockout": _("账号锁定"),
    "logout": _("退出登录"),
    "otp": _("第二因素"),
    "permission_denied": _("越权访问"),
    "account": _("账号或角色变更"),
    "export": _("导出或下载"),
    "personal_data": _("查看个人信息"),
    "settlement_confirm": _("确认结算"),
    "settlement_reverse": _("撤销结算"),
    "month_close": _("月度关账"),
    "month_reopen": _("重新开账"),
    "audit_purge": _("清理过期审计记录"),
}


# The request being served (set by audit.middleware.AuditTrailMiddleware), so that a service
# that records an event with only ``user=`` still stamps the address it came from.
current_request: ContextVar = ContextVar("audit_current_request", default=None)


def actor_name(user) -> str:
    """Who acted: the login name, or 命令行 with the OS user for a command."""
    if user is None:
        try:
            os_user = getpass.getuser()
        except Exception:  # no login name in some containers
            os_user = "?"
        return f"命令行 ({os_user})"
    return user.get_username()


def _address(request) -> str:
    request = request if request is not None else current_request.get()
    return client_ip(request) if request is not None else ""


def record(
    kind: str,
    *,
    user=None,
    request=None,
    target: str = "",
    detail: str = "",
    success: bool = True,
) -> AuditEvent:
    """Append one event to the chain (in its own savepoint; the head row serialises writers).

    ``user`` defaults to the request's user; None (and no request) is the command line.
    """
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
            head = AuditHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            kind=kind,
            user=user if getattr(user, "pk", None) else None,
            actor=actor_name(user) if user is not None or request is None else "匿名",
            ip=_address(request),
            target=str(target)[:200],
            detail=str(detail),
            success=success,
            previous_hash=head.last_hash,
        )
        event.hash = digest(event.previous_hash, event_fields(event))
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event
