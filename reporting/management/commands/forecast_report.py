"""`manage.py forecast_report --year Y --as-of YYYY-MM-DD`: the year-end forecast as CSV.

The contract is ../shared/WORKBOOK.md: one row per unit and indicator (no district rows),
columns 单位编码, 单位名称, 指标, 任务数, 完成数, 预计全年, 预计完成率, 预警. The method is
targets.forecast. Only reads.
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from common.commands import PortalCommand, as_of_in_year, year_arg
from common.csvout import safe_writer
from reporting.forecast import CSV_HEADER, build_forecasts, csv_rows
from targets.reports import build_report
from targets.selectors import year_settings


class Command(PortalCommand):
    help = "输出截至某日各单位各指标的全年预计完成情况和预警（CSV）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=year_arg, required=True)
        parser.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD")

    def handle(self, *args, year: int, as_of: str, **options):
        as_of_date = as_of_in_year(as_of, year)
        try:  # a read: an unknown year is read with its defaults and created nowhere
            report = build_report(year_settings(year), as_of_date)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        writer = safe_writer(self.stdout, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        try:
            writer.writerows(csv_rows(build_forecasts(report)))
        except BrokenPipeError:  # `| head`: the reader has had enough
            sys.stderr.close()
            return
        self.stderr.write(f"{year} 年截至 {as_of_date.isoformat()} 的全年预计已输出。")
