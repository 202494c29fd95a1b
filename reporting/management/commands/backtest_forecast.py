"""`manage.py backtest_forecast [--year Y ...]`: how far the year-end forecast was off.

Replays complete past years month by month (reporting.forecast.backtest) and prints, per
month, the number of unit × indicator cases and the median and 90th-percentile absolute
percentage error of the forecast against the year's real total, as CSV. Only reads.
"""

from argparse import ArgumentTypeError

from django.core.management.base import CommandError
from django.utils import timezone

from common.commands import PortalCommand, year_arg
from common.csvout import safe_writer
from common.rounding import shown
from reporting.forecast import BACKTEST_HEADER, backtest
from targets.models import DEFAULT_HOME_PROVINCE, AssessmentYear, Rollup


class Command(PortalCommand):
    help = "回测全年预计：逐月重演过去的完整年度，输出预计的绝对百分比误差（CSV）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", dest="years", action="append", default=None,
            help="回测的年度，可重复；缺省为有数据的全部已结束年度",
        )  # fmt: skip

    def handle(self, *args, years: list[str] | None, **options):
        try:  # each --year as the other commands check it (one Chinese line when wrong)
            years = [year_arg(text) for text in years or []]
        except ArgumentTypeError as exc:
            raise CommandError(str(exc)) from exc
        this_year = timezone.localdate().year
        with_data = set(Rollup.objects.filter(day=0).values_list("year", flat=True).distinct())
        years = sorted(set(years)) if years else sorted(y for y in with_data if y < this_year)
        if not years:
            raise CommandError("没有可回测的已结束年度（库中没有往年数据）。")
        if unfinished := [y for y in years if y >= this_year]:
            raise CommandError(f"{unfinished[0]} 年尚未结束，无法回测。")
        provinces = dict(AssessmentYear.objects.values_list("year", "home_province"))
        provinces = {y: provinces.get(y, DEFAULT_HOME_PROVINCE) for y in years}
        writer = safe_writer(self.stdout, lineterminator="\n")
        writer.writerow(BACKTEST_HEADER)
        for line in backtest(years, provinces):
            writer.writerow([
                f"1–{line.month}月",
                line.cases,
                "" if line.median is None else f"{shown(line.median):.2f}",
                "" if line.p90 is None else f"{shown(line.p90):.2f}",
            ])  # fmt: skip
        self.stderr.write(f"回测年度：{'、'.join(str(y) for y in years)}。")
