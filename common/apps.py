from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("公共")

    def ready(self) -> None:
        from django.urls import register_converter

        from common import signals  # noqa: F401  (connects the login timestamp)
        from common.converters import YearConverter

        register_converter(YearConverter, "year")
