"""`manage.py import_workbook FILE [--dry-run]` as ../shared/WORKBOOK.md promises."""

from pathlib import Path

from django.core.management.base import CommandError

from common.commands import UNREADABLE_FILE_ERRORS, PortalCommand, existing_file
from workbook.importer import import_workbook
from workbook.sheets import SHEET_ORDER


class Command(PortalCommand):
    help = (
        "导入区县工作簿（单位、指标、考核方案、任务、项目、到位资金、报送、加减分、抵押金）；"
        "有任何错误则不写入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=existing_file(".xlsx"))
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument(
            "--user",
            default=None,
            help="以该账号的身份和权限导入（记入变更历史）；缺省为命令行，可导入全部工作表",
        )

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"找不到文件：{path}")
        account = None
        if user:
            from accounts.models import User

            account = User.objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(f"账号 {user} 不存在或已停用。")
        try:
            result = import_workbook(path, user=account, source_name=path.name, dry_run=dry_run)
        except UNREADABLE_FILE_ERRORS as exc:
            raise CommandError(
                f"无法读取工作簿“{path.name}”：文件已损坏或不是有效的 xlsx，未写入任何数据。"
            ) from exc
        for warning in result.warnings:
            self.stderr.write(f"提示 {warning}")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"有 {len(result.errors)} 处错误，未写入任何数据。")
        for name in SHEET_ORDER:
            counts = result.counts.get(name)
            if counts is not None:
                self.stdout.write(
                    f"{name}：新增 {counts.created}，更新 {counts.updated}，未变 {counts.unchanged}"
                )
        self.stdout.write("（试运行，未写入任何数据）" if dry_run else "导入完成。")
