from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Pages and exports that put several apps' figures side by side (progress beside the
    projects pipeline): above projects and targets, below the workbook (STYLE.md)."""

    name = "reporting"

    def ready(self) -> None:
        # The 1–N月 workbook (targets) carries the pipeline's 履约率 and 成功率 too.
        from reporting.sheets import pipeline_sheet
        from targets.exports import register_report_sheet

        register_report_sheet(pipeline_sheet)
