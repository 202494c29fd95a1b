from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Pages and exports that put several apps' figures side by side (progress beside the
    projects pipeline): above projects and targets, below the workbook (STYLE.md)."""

    name = "reporting"
