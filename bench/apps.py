from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark commands (bench_dashboard, bench_pages, bench_import) and the load run.

    Installed everywhere so that ``manage.py`` finds the commands; it has no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "bench"
    verbose_name = "Benchmarks"
