"""`manage.py close_month --year Y --month N [--user U]`: close 1–N月 (DOMAIN.md).

Exit 0 also when the month was closed already (nothing changes, and it says so); a month
that has not ended is refused with one Chinese line and a non-zero exit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from closing import services
from closing.management.commands._actor import actor, month_arg
from common.commands import PortalCommand, year_arg


class Command(PortalCommand):
    help = "关账：冻结某年 1–N 月的全部进度数据。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=year_arg, required=True)
        parser.add_argument("--month", type=month_arg, required=True)
        parser.add_argument("--user", default=None, help="以该账号的名义关账；缺省为命令行")

    def handle(self, *args, year: int, month: int, user: str | None, **options):
        acting = actor(user)
        try:
            outcome = services.month_close(year=year, month=month, user=acting)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"账号“{user}”无权关账。") from exc
        at = timezone.localtime(outcome.close.closed_at).strftime("%Y-%m-%d %H:%M")
        if outcome.created:
            self.stdout.write(
                f"{year} 年 1–{month}月 已关账（{at}，{outcome.close.closed_by_name}）。"
            )
        else:
            self.stdout.write(
                f"{year} 年 1–{month}月 已于 {at} 由 {outcome.close.closed_by_name} 关账，"
                "未做任何修改。"
            )
