from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """Follow-up (督办): the commerce bureau's 督办单 to a unit, the unit's replies, closing or
    sending back. A reporting app: above projects and targets, below the workbook (STYLE.md);
    the year-end forecast and its early warnings live in reporting.forecast."""

    name = "followup"
    verbose_name = _("督办")
