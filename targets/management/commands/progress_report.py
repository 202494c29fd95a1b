"""`manage.py progress_report --year Y --as-of YYYY-MM-DD [--format csv|xlsx] [--output FILE]`

The contract is ../shared/WORKBOOK.md: CSV on standard output (unless --output), messages on
standard error, one row per unit and indicator, then the district's rows (单位编码 全区).
"""

import sys
from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from common.commands import PortalCommand, as_of_in_year, output_file, year_arg
from common.csvout import safe_writer
from targets import closes
from targets.exports import contract_workbook_bytes
from targets.reports import CSV_HEADER, build_report, csv_rows
from targets.selectors import year_settings


class Command(PortalCommand):
    help = "输出截至某日各单位和全区的任务完成进度（CSV 或 xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=year_arg, required=True)
        parser.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument(
            "--output", type=output_file, default=None, help="文件路径；缺省写到标准输出"
        )
        parser.add_argument(
            "--closed", action="store_true", help="输出截至日期所在月份关账时冻结的数据"
        )

    def handle(self, *args, year: int, as_of: str, format: str, output: str | None, **options):
        as_of_date = as_of_in_year(as_of, year)
        try:  # a read: an unknown year is read with its defaults and created nowhere
            if options.get("closed"):
                report = closes.closed_report_on(as_of_date)
            else:
                report = build_report(year_settings(year), as_of_date)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc

        if format == "xlsx":
            data = contract_workbook_bytes(report)
            if output:
                with open(output, "wb") as handle:
                    handle.write(data)
            else:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
        else:
            with (
                open(output, "w", encoding="utf-8", newline="") if output else nullcontext()
            ) as handle:
                writer = safe_writer(handle or self.stdout, lineterminator="\n")
                writer.writerow(CSV_HEADER)
                try:
                    writer.writerows(csv_rows(report))
                except BrokenPipeError:  # `| head`: the reader has had enough
                    sys.stderr.close()
                    return
        target = output or "标准输出"
        kind = "关账数据" if options.get("closed") else "进度"
        self.stderr.write(
            f"{year} 年 {report.months_label}（截至 {as_of_date.isoformat()}）"
            f"{kind}已写入 {target}。"
        )
