"""`manage.py send_reminders [--date YYYY-MM-DD]`: the day's reminders (followup.reminders).

Run it daily from cron or a systemd timer (README). Each reminder goes once per person and
cause: a second run the same day creates nothing new."""

import datetime as dt

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from common.commands import PortalCommand
from followup.reminders import send_all


class Command(PortalCommand):
    help = "发送当天的提醒（站内提醒和邮件），每人每个事由只发一次。"

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="YYYY-MM-DD，缺省为今天")

    def handle(self, *args, date: str | None, **options):
        today = timezone.localdate()
        if date:
            try:
                today = dt.date.fromisoformat(date.strip())
            except ValueError as exc:
                raise CommandError(f"日期“{date[:20]}”格式不对，应为 YYYY-MM-DD。") from exc
        with transaction.atomic():
            sent = send_all(today)
        total = sum(sent.values())
        detail = "，".join(f"{kind} {n}" for kind, n in sorted(sent.items()) if n)
        self.stdout.write(
            f"{today.isoformat()}：新提醒 {total} 条" + (f"（{detail}）" if detail else "") + "。"
        )
