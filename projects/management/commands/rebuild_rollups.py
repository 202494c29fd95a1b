from common.commands import PortalCommand, year_arg
from projects.counting import rebuild


class Command(PortalCommand):
    help = "从项目和到位资金记录重新计算完成数汇总（全部年度，或 --year 指定的年度）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=year_arg, default=None)

    def handle(self, *args, year: int | None, **options):
        rows = rebuild(year)
        scope = f"{year} 年" if year else "全部年度"
        self.stdout.write(f"已重建{scope}的完成数汇总：{rows} 行。")
