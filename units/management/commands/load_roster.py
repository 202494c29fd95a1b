from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from common.commands import PortalCommand, existing_file
from units.roster import RosterError, parse_roster
from units.services import roster_load

DEFAULT_ROSTER = Path(__file__).resolve().parents[2] / "data" / "roster.csv"


class Command(PortalCommand):
    help = "载入责任单位名册（CSV：单位编码,单位名称,单位类型,类别[,排序]）；可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", type=existing_file(what="名册文件"), default=str(DEFAULT_ROSTER)
        )

    def handle(self, *args, file: str, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"找不到名册文件：{path}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"名册文件不是 UTF-8 编码：{path}") from exc
        try:
            rows = parse_roster(text)
            counts = roster_load(rows=rows, source=path.name)
        except RosterError as exc:
            raise CommandError("名册有误，未写入任何数据：\n" + "\n".join(exc.errors)) from exc
        except ValidationError as exc:
            raise CommandError(f"名册有误，未写入任何数据：{exc}") from exc
        self.stdout.write(
            f"名册已载入：新增 {counts.created}，更新 {counts.updated}，未变 {counts.unchanged}"
        )
