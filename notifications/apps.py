from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Reminders to the person who must act: an in-app inbox and e-mail. Knows no domain app:
    everything above writes through notifications.api.notify (STYLE.md)."""

    name = "notifications"
    verbose_name = _("提醒")
