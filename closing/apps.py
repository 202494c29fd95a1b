from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClosingConfig(AppConfig):
    """The monthly close (关账): frozen 1–N月 figures, the city's published figures and the
    通报. A reporting app: above projects and targets, below the workbook (STYLE.md)."""

    name = "closing"
    verbose_name = _("月度关账与通报")
