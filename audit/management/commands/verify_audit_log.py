"""``python manage.py verify_audit_log``: prove the security audit log's hash chain intact.

Exit 0 with "完整" and the number of records; otherwise a non-zero exit naming the first
record that does not fit (id, time, kind)."""

from django.core.management.base import CommandError
from django.utils import timezone

from audit.verify import verify_log
from common.commands import PortalCommand, positive_int


class Command(PortalCommand):
    help = "校验安全审计日志的哈希链：完整则退出码为 0，否则指出第一条被改动的记录。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=positive_int, default=None, help="每批读取条数")

    def handle(self, *args, **options):
        verdict = verify_log(batch_size=options["batch"])
        if verdict.broken is not None:
            event = verdict.broken
            at = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")
            raise CommandError(
                f"安全审计日志不完整：第一条不符的记录 id={event.pk}，时间 {at}，"
                f"事件 {event.kind}（已校验 {verdict.count} 条）。"
            )
        if verdict.problem:
            raise CommandError(f"安全审计日志不完整：{verdict.problem}")
        self.stdout.write(f"安全审计日志完整：共 {verdict.count} 条记录，哈希链校验通过。")
