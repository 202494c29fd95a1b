"""`manage.py warm_caches`: read what the pages share between the server's processes now.

The forecast's reading of the projects (reporting.forecast.kept_pipeline) is kept in the
file cache for FORECAST_PIPELINE_SECONDS and read by one process at a time; the first page
that needs it after a deploy or a restart waits for the reading (0.7 s at 1.1M inflows on a
quiet machine, seconds on a busy one). Run after starting the server (the README's
production section) to take that wait off the first users: it reads the periods the pages
open on by default, today's (the homes) and the last complete month's (the progress pages).
Only reads; safe to run at any time.
"""

from django.utils import timezone

from common.commands import PortalCommand
from reporting.forecast import kept_pipeline
from targets.period import default_as_of, last_complete_month_end
from targets.selectors import year_settings


class Command(PortalCommand):
    help = "预读各服务进程共用的数据（全年预计所需的项目数据），部署或重启后运行。"

    def handle(self, *args, **options):
        today = timezone.localdate()
        year = last_complete_month_end(today).year
        periods = sorted({(today.year, today), (year, default_as_of(year, today))})
        for period_year, as_of in periods:
            started = timezone.now()
            kept_pipeline(period_year, as_of, year_settings(period_year).home_province)
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(f"全年预计的项目数据：{as_of.isoformat()}，{seconds:.1f} 秒")
