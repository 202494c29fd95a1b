import datetime as dt
import time

from django.core.management.base import CommandError
from django.utils import timezone

from common.commands import PortalCommand, year_arg
from portal.demo import DemoDataError, default_year, district_totals, load_demo_data
from targets import indicators as codes

SUMMARY = [
    (codes.FOREIGN_PROJECTS, "新批外资项目", "个"),
    (codes.FDI_CONTRACT, "合同利用外资", "万美元"),
    (codes.FDI_ACTUAL, "实际到位外资", "万美元"),
    (codes.DOMESTIC_PROJECTS, "引进内资项目", "个"),
    (codes.DOMESTIC_ACTUAL, "实际到位内资（境内省外资金）", "万元"),
]


class Command(PortalCommand):
    help = (
        "载入演示数据：演示年度及上一年的项目、到位资金、招商活动和任务数（仅用于演示环境）。"
        "需要先运行 load_roster 和 create_demo_accounts；可重复执行，已载入时不再重复写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=year_arg,
            default=None,
            help="演示年度（默认：7月1日起为今年，否则为去年）；同时载入上一年。",
        )

    def handle(self, *args, year: int | None, **options):
        year = year or default_year(timezone.localdate())
        started = time.monotonic()
        try:
            result = load_demo_data(year=year, stdout=self.stdout)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if result["skipped"]:
            self.stdout.write(
                f"演示数据已存在（{result['existing']} 个 DEMO- 开头的项目），未重复载入。"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入 {year - 1}–{year} 年演示数据（截至 {result['last_day']:%Y-%m-%d}），"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
        if result["other_projects"]:
            self.stdout.write(
                self.style.WARNING(
                    f"注意：数据库中另有 {result['other_projects']} 个非演示项目落在 "
                    f"{year - 1}–{year} 年，全区合计包含它们，与种子材料的数字会有出入。"
                )
            )
        totals = district_totals(dt.date(year, 1, 1), dt.date(year, 6, 30))
        self.stdout.write(f"{year} 年 1–6月 全区：")
        for code, name, measure in SUMMARY:
            self.stdout.write(f"  {name} {totals[code]:,} {measure}")
