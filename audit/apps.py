from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The security audit log: append-only, hash-chained security events. Knows no domain
    app; everything above writes to it through audit.events (STYLE.md)."""

    name = "audit"
    verbose_name = _("安全审计")

    def ready(self) -> None:
        from audit import signals  # noqa: F401  (connects the sign-in receivers)
