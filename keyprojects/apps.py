from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyprojectsConfig(AppConfig):
    """Key projects (重点项目): signing level, phases, milestones, 包保领导 and the follow-up
    log. A reporting app: above projects and targets, below the workbook (STYLE.md)."""

    name = "keyprojects"
    verbose_name = _("重点项目")
