"""`manage.py settle_deposits --year Y [--confirm]` as ../shared/WORKBOOK.md promises.

Standard output carries only the CSV; messages go to standard error.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from common.commands import PortalCommand, year_arg
from common.csvout import safe_writer
from deposits import selectors
from deposits.services import settle_year, settlement_preview


def _yuan(value: Decimal) -> str:
    return f"{value:.2f}"


class Command(PortalCommand):
    help = "风险抵押金年终结算：不加 --confirm 只预览；加 --confirm 记录结算（已结算则不再改动）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=year_arg, required=True)
        parser.add_argument("--confirm", action="store_true")

    def handle(self, *args, year: int, confirm: bool, **options):
        writer = safe_writer(self.stdout, lineterminator="\n")
        try:
            if confirm:
                settlements, created = settle_year(year=year, user=None)
                rows = selectors.settlement_sheet_rows(settlements)
                message = (
                    f"{year} 年结算已记录：{len(rows)} 个单位。"
                    if created
                    else f"{year} 年已经结算过，本次没有任何改动；以下是已记录的结果。"
                )
            else:
                rows = selectors.preview_sheet_rows(settlement_preview(year))
                message = (
                    f"{year} 年结算预览（未写入任何数据）：{len(rows)} 个单位。"
                    "加 --confirm 记录结算。"
                )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        writer.writerow(selectors.SHEET_HEADER)
        for code, name, outcome, *amounts in rows:
            writer.writerow([code, name, outcome, *(_yuan(a) for a in amounts)])
        paid = sum((r[3] for r in rows), Decimal(0))
        out = sum((r[4] + r[6] for r in rows), Decimal(0))
        self.stderr.write(message)
        self.stderr.write(f"缴纳合计 {_yuan(paid)} 元 = 退还 + 没收合计 {_yuan(out)} 元。")
