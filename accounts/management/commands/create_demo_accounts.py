import os

from django.core.management.base import CommandError

from accounts.services import user_upsert
from common.commands import PortalCommand
from common.roles import Role
from units.models import Unit

# (username, role, unit code, display name); the clerks' units are in the default roster.
DEMO_ACCOUNTS = [
    ("clerk", Role.UNIT_STAFF, "T01", "郴江镇填报员"),
    ("clerk2", Role.UNIT_STAFF, "T02", "石盖塘镇填报员"),
    ("commerce", Role.COMMERCE, None, "商务局"),
    ("finance", Role.FINANCE, None, "财政局"),
    # a second finance account: no one performs two consecutive steps of a reward claim
    ("finance2", Role.FINANCE, None, "财政局出纳"),
    ("leader", Role.LEADERSHIP, None, "区领导"),
    # separated administration (三权分立): accounts, security, audit; no business data
    ("sysadmin", Role.SYSTEM_ADMIN, None, "系统管理员"),
    ("secadmin", Role.SECURITY_ADMIN, None, "安全管理员"),
    ("auditor", Role.AUDIT_ADMIN, None, "审计管理员"),
]
DEFAULT_PASSWORD = "demo-2026"


class Command(PortalCommand):
    help = "创建（或重置）每个角色的演示账号（含三位管理员），以及超级用户 admin。仅用于演示环境。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD),
            help="演示账号的密码（默认读取环境变量 DEMO_PASSWORD）",
        )

    def handle(self, *args, password: str, **options):
        rows = []
        for username, role, unit_code, full_name in DEMO_ACCOUNTS:
            unit = None
            if unit_code:
                unit = Unit.objects.filter(code=unit_code).first()
                if unit is None:
                    raise CommandError(f"单位 {unit_code} 不存在：请先运行 load_roster")
            user_upsert(
                username=username, password=password, role=role, unit=unit, full_name=full_name
            )
            rows.append((username, str(role.label), unit.name if unit else ""))
        user_upsert(
            username="admin", password=password, role="", full_name="系统管理员", is_superuser=True
        )
        rows.append(("admin", "超级用户（/admin/，仅部署维护）", ""))
        self.stdout.write("演示账号（密码均为 %s）：" % password)
        for username, role, unit in rows:
            self.stdout.write(f"  {username:<10} {role} {unit}")
