from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Foreign-investor complaints (外商投诉): received, assigned, handled, closed, 回访.
    A reporting app: above projects and targets, below the workbook (STYLE.md)."""

    name = "complaints"
    verbose_name = _("外商投诉")
