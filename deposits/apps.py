from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepositsConfig(AppConfig):
    name = "deposits"
    verbose_name = _("风险抵押金")
