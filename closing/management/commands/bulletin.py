"""`manage.py bulletin --year Y --month N --output FILE.docx [--number 文号] [--user U]`

Writes the 1–N月 通报 from the closed figures (from the live ones, marked 未关账, when the
month is not closed) and keeps it with the issued bulletins, like the portal's button."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from closing import services
from closing.management.commands._actor import actor, month_arg
from common.commands import PortalCommand, output_file, year_arg


class Command(PortalCommand):
    help = "生成 1–N 月招商引资通报（Word .docx）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=year_arg, required=True)
        parser.add_argument("--month", type=month_arg, required=True)
        parser.add_argument("--output", type=output_file, required=True, help="输出的 .docx 文件")
        parser.add_argument("--number", default="", help="文号，例如 商务通报〔2026〕10号")
        parser.add_argument("--user", default=None, help="以该账号的名义生成；缺省为命令行")

    def handle(self, *args, year, month, output, number, user, **options):
        if Path(output).suffix.lower() != ".docx":
            raise CommandError(f"输出文件“{output}”应以 .docx 结尾。")
        acting = actor(user)
        try:
            issued = services.bulletin_issue(year=year, month=month, number=number, user=acting)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"账号“{user}”无权生成通报。") from exc
        with issued.file.open("rb") as source, open(output, "wb") as target:
            target.write(source.read())
        mark = "关账数据" if issued.closed else "实时数据（未关账）"
        self.stderr.write(f"{issued.title}（{mark}）已写入 {output}。")
