from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top layer under config (STYLE.md): each role's home page and the demo data, which
    read from and write to every domain app."""

    name = "portal"
