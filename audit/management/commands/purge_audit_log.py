"""``python manage.py purge_audit_log [--before YYYY-MM-DD]``: remove audit records past the
retention period (AUDIT_RETENTION_DAYS, at least 180 days), keeping the rest verifiable."""

import datetime as dt
from argparse import ArgumentTypeError

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from audit.purge import purge_before
from common.commands import PortalCommand


def day_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise ArgumentTypeError(f"日期“{str(text)[:20]}”格式不对，应为 YYYY-MM-DD。") from exc


day_arg.portal_check = True


class Command(PortalCommand):
    help = "清理保留期以前的安全审计记录（至少保留 AUDIT_RETENTION_DAYS 天），链仍可校验。"

    def add_arguments(self, parser):
        parser.add_argument("--before", type=day_arg, default=None, help="清理此日期以前的记录")

    def handle(self, *args, **options):
        try:
            purged = purge_before(options["before"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if purged.count == 0:
            self.stdout.write("没有需要清理的安全审计记录。")
            return
        first = purged.checkpoint.first_kept_id
        self.stdout.write(f"已清理 {purged.count} 条安全审计记录；链从 id={first} 起可校验。")
