from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from common.commands import PortalCommand, existing_file, year_arg
from rewards import services
from rewards.rule_file import RuleFileError, parse_rule_file

DEFAULT_RULES = Path(__file__).resolve().parents[2] / "data" / "example_rules.json"


class Command(PortalCommand):
    help = (
        "载入一个年度的引资奖励规则（JSON，格式见 rewards/data/README.md）；"
        "与页面上的规则表单同一套校验，有误则不写入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=year_arg, required=True, help="规则适用的年度（项目签约年度）"
        )
        parser.add_argument(
            "file", nargs="?", type=existing_file(what="规则文件"), default=str(DEFAULT_RULES)
        )

    def handle(self, *args, year: int, file: str, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"找不到规则文件：{path}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"规则文件不是 UTF-8 编码：{path}") from exc
        try:
            data, tiers = parse_rule_file(text)
            rule = services.rule_save(
                year=year, data=data, tiers=tiers, user=None, reason=f"从 {path.name} 载入"
            )
        except RuleFileError as exc:
            raise CommandError("规则文件有误，未写入任何数据：\n" + "\n".join(exc.errors)) from exc
        except ValidationError as exc:
            raise CommandError("规则有误，未写入任何数据：\n" + "\n".join(exc.messages)) from exc
        self.stdout.write(
            f"{year} 年引资奖励规则已载入：{rule.tiers.count()} 个洽谈费补助档次，"
            f"税收奖励比例 {rule.tax_rate}，年限 {rule.tax_years} 年。"
        )
