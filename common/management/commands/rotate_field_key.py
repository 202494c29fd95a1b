"""``python manage.py rotate_field_key``: re-encrypt every encrypted field under the current
FIELD_ENCRYPTION_KEY (reading older values with FIELD_ENCRYPTION_OLD_KEYS). Idempotent: run
it again and nothing changes. Afterwards the old keys can be taken out of the setting."""

from django.core.management.base import CommandError

from common.commands import PortalCommand, positive_int
from common.crypto import DecryptionError
from common.rotation import rotate_all


class Command(PortalCommand):
    help = "用当前密钥重新加密全部加密字段（旧密钥放在 FIELD_ENCRYPTION_OLD_KEYS）；可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=positive_int, default=500, help="每批处理条数")

    def handle(self, *args, **options):
        try:
            counts = rotate_all(batch=options["batch"])
        except DecryptionError as exc:
            raise CommandError(f"无法解密：{exc}") from exc
        total = sum(counts.values())
        detail = "，".join(f"{label} {n} 条" for label, n in counts.items())
        self.stdout.write(f"已用当前密钥重新加密 {total} 条记录（{detail}）。")
