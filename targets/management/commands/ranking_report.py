"""`manage.py ranking_report --year Y --as-of YYYY-MM-DD [--format csv|xlsx] [--output FILE]`

The contract is ../shared/WORKBOOK.md: the ranking by the year's assessment scheme, CSV on
standard output (unless --output), messages on standard error; one row per unit with at
least one positive quota, best first; equal 综合得分 share a 名次. Only reads.
"""

import sys
from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import translation

from accounts.models import User
from common.commands import PortalCommand, as_of_in_year, output_file, year_arg
from common.csvout import safe_writer
from targets import closes
from targets.exports import ranking_contract_workbook_bytes
from targets.reports import RANKING_HEADER, build_report, ranking_csv_rows
from targets.selectors import year_settings


class Command(PortalCommand):
    help = "输出截至某日按年度考核方案计算的单位排名（CSV 或 xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=year_arg, required=True)
        parser.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument(
            "--output", type=output_file, default=None, help="文件路径；缺省写到标准输出"
        )
        parser.add_argument("--user", default=None, help="以该账号的名义运行（缺省为 命令行）")
        parser.add_argument(
            "--closed", action="store_true", help="输出截至日期所在月份关账时冻结的排名"
        )

    def handle(self, *args, year: int, as_of: str, format: str, output, user, **options):
        if user and not User.objects.filter(username=user, is_active=True).exists():
            raise CommandError(f"账号 {user} 不存在或已停用。")
        as_of_date = as_of_in_year(as_of, year)
        try:  # a read: an unknown year is read with its defaults and created nowhere
            if options.get("closed"):
                report = closes.closed_report_on(as_of_date)
            else:
                report = build_report(year_settings(year), as_of_date)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        with translation.override("zh-hans"):  # 单位类型 is a Chinese literal
            if format == "xlsx":
                self._xlsx(report, output)
            elif not self._csv(report, output):
                return
        target = output or "标准输出"
        self.stderr.write(
            f"{year} 年 {report.months_label}（截至 {as_of_date.isoformat()}）排名已写入 {target}。"
        )

    def _xlsx(self, report, output) -> None:
        data = ranking_contract_workbook_bytes(report)
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()

    def _csv(self, report, output) -> bool:
        with open(output, "w", encoding="utf-8", newline="") if output else nullcontext() as handle:
            writer = safe_writer(handle or self.stdout, lineterminator="\n")
            writer.writerow(RANKING_HEADER)
            try:
                writer.writerows(ranking_csv_rows(report))
            except BrokenPipeError:  # `| head`: the reader has had enough
                sys.stderr.close()
                return False
        return True
