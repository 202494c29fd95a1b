from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("公共")

    def ready(self) -> None:
        from django.urls import register_converter

        # Importing registers the system checks and connects the login timestamp.
        from common import checks, lookups, signals  # noqa: F401  (lookups: __among)
        from common.converters import YearConverter

        register_converter(YearConverter, "year")

        from common import tables_speed

        tables_speed.install()
