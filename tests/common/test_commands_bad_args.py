"""Bad arguments on the command line (issue 13, item 6; WORKBOOK.md "Every command answers
bad arguments … with one line in Chinese on standard error and a non-zero exit, never a
traceback"): missing files, absent output folders, years outside 2000–2100, as-of dates
outside the year or after today, files that are not an xlsx, a damaged workbook.

Each case runs through ``call_command`` (CommandError, one Chinese line, nothing written);
then every command runs once more as ``manage.py`` in a child process, to prove that what
reaches standard error is that one line and no traceback.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import timezone
from openpyxl import Workbook

from common.commands import (
    FIRST_YEAR,
    LAST_YEAR,
    PortalCommand,
    as_of_in_year,
    chinese_argument_error,
)
from targets.models import MAX_YEAR, MIN_YEAR, AssessmentYear, Rollup

ROOT = Path(settings.BASE_DIR)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PROJECT_APPS = {"accounts", "common", "deposits", "projects", "rewards", "targets", "units"}
PROJECT_APPS |= {"workbook", "bench", "portal"}
PROJECT_APPS |= {"closing"}
TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)


# --- hostile files -------------------------------------------------------------------------


def _workbook_bytes() -> bytes:
    book = Workbook()
    book.active.title = "项目"
    book.active.append(["项目编号", "项目名称"])
    book.active.append(["X-1", "坏行"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """Generated on the spot: a CSV named .xlsx, a zip that is no workbook, a workbook whose
    sheet XML is cut in half, a CSV, a folder."""
    made = {}
    made["not_a_zip"] = tmp_path / "名单.xlsx"
    made["not_a_zip"].write_text("单位编码,单位名称\nT01,郴江镇\n", encoding="utf-8")
    made["csv"] = tmp_path / "名单.csv"
    made["csv"].write_text("单位编码,单位名称\nT01,郴江镇\n", encoding="utf-8")
    made["empty_zip"] = tmp_path / "空.xlsx"
    with zipfile.ZipFile(made["empty_zip"], "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    good = tmp_path / "good.xlsx"
    good.write_bytes(_workbook_bytes())
    made["truncated"] = tmp_path / "截断.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(made["truncated"], "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(info, data)
    made["folder"] = tmp_path / "a-folder"
    made["folder"].mkdir()
    made["missing"] = tmp_path / "没有这个文件.xlsx"
    made["missing_json"] = tmp_path / "没有这个文件.json"
    made["missing_csv"] = tmp_path / "没有这个文件.csv"
    made["no_folder"] = tmp_path / "no" / "such" / "dir" / "x.csv"
    return made


def _args(args, files):
    return [str(files[a[1:]]) if a.startswith("@") else a for a in args]


# (command, arguments, a fragment of the message); "@name" stands for files[name].
REPORT = ("progress_report", "--year", "2025", "--as-of", "2025-06-30")
CASES = [
    ("progress_report", ["--year", "1800", "--as-of", "1800-06-30"], "年度 1800 无效"),
    ("progress_report", ["--year", "2101", "--as-of", "2101-01-01"], "2000–2100"),
    ("progress_report", ["--year", "1999", "--as-of", "1999-12-31"], "2000–2100"),
    ("progress_report", ["--year", "abc", "--as-of", "2025-06-30"], "年度 abc 无效"),
    ("progress_report", ["--as-of", "2025-06-30"], "缺少必填参数：--year"),
    ("progress_report", ["--year", "2025"], "缺少必填参数：--as-of"),
    ("progress_report", ["--year", "2025", "--as-of", "2025-13-01"], "格式不对"),
    ("progress_report", ["--year", "2025", "--as-of", "2024-06-30"], "不在 2025 年内"),
    ("progress_report", ["--year", "2025", "--as-of", "2026-01-01"], "不在 2025 年内"),
    ("progress_report", ["--year", str(TOMORROW.year), "--as-of", str(TOMORROW)], "晚于今天"),
    ("progress_report", [*REPORT[1:], "--output", "@no_folder"], "输出文件夹"),
    ("progress_report", [*REPORT[1:], "--output", "@folder"], "是一个文件夹"),
    ("progress_report", [*REPORT[1:], "--format", "pdf"], "不是可选的取值"),
    ("progress_report", [*REPORT[1:], "--bogus"], "无法识别的参数"),
    ("ranking_report", ["--year", "1800", "--as-of", "1800-06-30"], "年度 1800 无效"),
    ("ranking_report", ["--as-of", "2025-06-30"], "缺少必填参数：--year"),
    ("ranking_report", ["--year", "2025"], "缺少必填参数：--as-of"),
    ("ranking_report", ["--year", "2025", "--as-of", "2024-06-30"], "不在 2025 年内"),
    ("ranking_report", ["--year", "2025", "--as-of", "2025-02-30"], "格式不对"),
    ("ranking_report", [*REPORT[1:], "--output", "@no_folder"], "输出文件夹"),
    ("ranking_report", [*REPORT[1:], "--format", "pdf"], "不是可选的取值"),
    ("ranking_report", [*REPORT[1:], "--user", "nobody"], "不存在或已停用"),
    ("settle_deposits", ["--year", "99999"], "年度 99999 无效"),
    ("settle_deposits", ["--year", "1999"], "年度 1999 无效"),
    ("settle_deposits", [], "缺少必填参数：--year"),
    ("rebuild_rollups", ["--year", "1800"], "年度 1800 无效"),
    ("rebuild_rollups", ["--year", "2101"], "年度 2101 无效"),
    ("import_workbook", ["@missing"], "找不到文件"),
    ("import_workbook", ["@folder"], "不是文件"),
    ("import_workbook", ["@csv"], "不是 .xlsx 文件"),
    ("import_workbook", ["@not_a_zip"], "不是有效的 Excel 工作簿"),
    ("import_workbook", [], "缺少必填参数：file"),
    ("load_roster", ["@missing_csv"], "找不到名册文件"),
    ("load_roster", ["@folder"], "不是文件"),
    ("load_reward_rules", ["--year", "1800"], "年度 1800 无效"),
    ("load_reward_rules", ["--year", "2025", "@missing_json"], "找不到规则文件"),
    ("load_demo_data", ["--year", "1999"], "年度 1999 无效"),
    ("create_demo_accounts", ["--bogus"], "无法识别的参数"),
    ("bench_dashboard", ["--repeats", "0"], "不是正整数"),
    ("bench_pages", ["--repeats", "0"], "不是正整数"),
    ("bench_pages", ["--size", "many"], "不是正整数"),
    ("bench_import", ["--projects", "zero"], "不是正整数"),
    ("forecast_report", ["--year", "1800", "--as-of", "1800-06-30"], "年度 1800 无效"),
    ("forecast_report", ["--year", "2025"], "缺少必填参数：--as-of"),
    ("forecast_report", ["--year", "2025", "--as-of", "2024-06-30"], "不在 2025 年内"),
    ("backtest_forecast", ["--year", "abc"], "年度 abc 无效"),
    ("backtest_forecast", ["--year", "2101"], "年度 2101 无效"),
    ("rotate_field_key", ["--batch", "0"], "不是正整数"),
    ("verify_audit_log", ["--batch", "many"], "不是正整数"),
    ("purge_audit_log", ["--before", "2026-13-01"], "格式不对"),
    ("close_month", ["--year", "1800", "--month", "1"], "年度 1800 无效"),
    ("close_month", ["--year", "2025", "--month", "13"], "月份 13 无效"),
    ("close_month", ["--year", "2025"], "缺少必填参数：--month"),
    ("close_month", ["--year", str(TODAY.year), "--month", str(TODAY.month)], "尚未结束"),
    ("bulletin", ["--year", "2025", "--month", "0", "--output", "@csv"], "月份 0 无效"),
    ("bulletin", ["--year", "2025", "--month", "6"], "缺少必填参数：--output"),
    ("bulletin", ["--year", "2025", "--month", "6", "--output", "@no_folder"], "输出文件夹"),
]


def _one_chinese_line(text: str) -> None:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert CHINESE.search(lines[0]), text
    assert "Traceback" not in text and "Error:" not in text.replace("CommandError:", "")


@pytest.mark.django_db
@pytest.mark.parametrize(("command", "args", "fragment"), CASES)
def test_bad_argument_is_one_chinese_line(command, args, fragment, files):
    years, rollups = AssessmentYear.objects.count(), Rollup.objects.count()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(command, *_args(args, files), stdout=out, stderr=err)
    message = str(info.value)
    assert fragment in message
    _one_chinese_line(message)
    assert info.value.returncode != 0
    assert out.getvalue() == ""
    assert AssessmentYear.objects.count() == years  # nothing written, not even a year
    assert Rollup.objects.count() == rollups


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["truncated", "empty_zip"])
def test_a_damaged_workbook_is_a_clear_error(name, files):
    """A zip whose sheet XML is cut off, or a zip without a workbook in it: an error in
    Chinese, a non-zero exit, nothing written."""
    years = AssessmentYear.objects.count()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_workbook", str(files[name]), stdout=out, stderr=err)
    assert CHINESE.search(str(info.value))
    for line in err.getvalue().splitlines():
        assert CHINESE.search(line), err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert AssessmentYear.objects.count() == years


# --- every command uses the shared handling --------------------------------------------------


def project_commands() -> dict[str, str]:
    return {name: app for name, app in get_commands().items() if app in PROJECT_APPS}


def test_every_project_command_answers_bad_arguments_the_shared_way():
    commands = project_commands()
    assert {"progress_report", "settle_deposits", "import_workbook"} <= set(commands)
    for name, app in commands.items():
        command = load_command_class(app, name)
        assert isinstance(command, PortalCommand), (
            f"{app}.{name} must derive from common.commands.PortalCommand"
        )


def test_every_project_command_is_exercised_here():
    assert set(project_commands()) <= {case[0] for case in CASES}


def test_the_year_range_is_the_portals():
    assert (FIRST_YEAR, LAST_YEAR) == (MIN_YEAR, MAX_YEAR) == (2000, 2100)


def test_as_of_rules():
    assert as_of_in_year("2025-06-30", 2025, today=dt.date(2026, 1, 1)) == dt.date(2025, 6, 30)
    with pytest.raises(CommandError, match="晚于今天"):
        as_of_in_year("2025-06-30", 2025, today=dt.date(2025, 6, 29))
    with pytest.raises(CommandError, match="不在 2025 年内"):
        as_of_in_year("2024-12-31", 2025, today=dt.date(2026, 1, 1))


def test_argparse_messages_become_chinese():
    assert chinese_argument_error("argument --year: invalid int value: 'x'") == (
        "参数 --year：'x' 不是整数"
    )
    assert chinese_argument_error("argument --x: expected one argument") == "参数 --x：缺少取值"
    assert CHINESE.search(chinese_argument_error("something new from argparse"))


# --- as manage.py runs them ------------------------------------------------------------------

SUBPROCESS_CASES = [
    ("settle_deposits", "--year", "99999"),
    ("rebuild_rollups", "--year", "1800"),
    ("progress_report", "--year", "2025", "--as-of", "2025-06-30", "--output", "@no_folder"),
    ("progress_report", "--year", "2025", "--as-of", "2024-06-30"),
    ("progress_report", "--year", "abc", "--as-of", "2025-06-30"),
    ("ranking_report", "--year", "2025", "--as-of", "2024-06-30"),
    ("import_workbook", "@not_a_zip"),
    ("import_workbook", "@missing"),
    ("load_roster", "@missing_csv"),
    ("load_reward_rules", "--year", "1800"),
    ("load_demo_data", "--year", "3000"),
    ("create_demo_accounts", "--bogus"),
    ("bench_dashboard", "--repeats", "0"),
    ("bench_pages", "--repeats", "0"),
    ("bench_import", "--projects", "0"),
    ("rotate_field_key", "--batch", "0"),
    ("close_month", "--year", "2025", "--month", "13"),
    ("bulletin", "--year", "2025", "--month", "6", "--output", "@no_folder"),
]


def test_manage_py_prints_one_line_and_no_traceback(files, tmp_path):
    """The same refusals from a real ``manage.py`` process: exit status non-zero, standard
    error exactly one Chinese line, standard output empty. The children run side by side."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # A database nobody migrated: a refusal must come before any query.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.sqlite3'}",
    }
    children = [
        (
            case,
            subprocess.Popen(
                [sys.executable, "manage.py", case[0], *_args(case[1:], files)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for case in SUBPROCESS_CASES
    ]
    assert {case[0] for case in SUBPROCESS_CASES} == set(project_commands())
    for case, child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode not in (0, None), (case, out, err)
        assert out == "", (case, out)
        _one_chinese_line(err)
        assert "命令未能完成" not in err, (case, err)  # refused up front, not a crash caught


def test_an_unforeseen_failure_on_the_command_line_is_one_line_too(files, tmp_path):
    """A damaged workbook against a database nobody migrated: whatever breaks first, the
    person at the terminal sees Chinese lines, a non-zero exit and no traceback."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.sqlite3'}",
    }
    child = subprocess.run(
        [sys.executable, "manage.py", "import_workbook", str(files["truncated"])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode != 0
    assert "Traceback" not in child.stderr
    assert child.stderr.strip()
    for line in child.stderr.strip().splitlines():
        assert CHINESE.search(line), child.stderr
