"""Shared argument handling for the management commands.

WORKBOOK.md: every command answers bad arguments (a missing file, a year out of range, an
output folder that does not exist, a file that is not an xlsx) with one line in Chinese on
standard error and a non-zero exit, never a traceback. So every command

- derives from ``PortalCommand``, whose parser reports a bad argument as one Chinese line
  (argparse would print the usage and an English sentence), and which turns an unexpected
  error on the command line into one line too (``--traceback`` still shows it);
- parses its arguments with the types below: ``year_arg``, ``optional_year_arg``, ``output_file``,
  ``existing_file(...)``, ``positive_int``; and checks an as-of date with ``as_of_in_year``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import zipfile
from argparse import ArgumentTypeError
from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The years the portal keeps (targets.models.MIN_YEAR / MAX_YEAR; common imports no domain
# app, a test keeps the two equal).
FIRST_YEAR, LAST_YEAR = 2000, 2100


# --- argument types (argparse ``type=``) -------------------------------------------------


def _portal_check(function):
    """Mark an argument type that PortalCommand also applies to call_command's keywords."""
    function.portal_check = True
    return function


@_portal_check
def year_arg(text: str) -> int:
    """A year the portal keeps: 2000–2100."""
    value = str(text).strip()
    if not re.fullmatch(r"\d{1,6}", value) or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise ArgumentTypeError(
            _("年度 %(v)s 无效：应为 %(a)d–%(b)d 之间的年份。")
            % {"v": value[:20], "a": FIRST_YEAR, "b": LAST_YEAR}
        )
    return int(value)


@_portal_check
def optional_year_arg(text: str) -> int | None:
    """``year``, or nothing when left empty."""
    return None if not str(text).strip() else year_arg(text)


def positive_int(text: str) -> int:
    value = str(text).strip().replace("_", "")
    if not value.isdigit() or int(value) < 1:
        raise ArgumentTypeError(_("“%(v)s”不是正整数。") % {"v": str(text)[:20]})
    return int(value)


@_portal_check
def output_file(text: str) -> str:
    """A file the command may write: its folder exists and is writable; not a folder."""
    path = Path(text)
    folder = path.parent if str(path.parent) else Path(".")
    if not str(text).strip():
        raise ArgumentTypeError(_("请给出输出文件的路径。"))
    if path.is_dir():
        raise ArgumentTypeError(_("“%(p)s”是一个文件夹，请给出文件名。") % {"p": text})
    if not folder.is_dir():
        raise ArgumentTypeError(
            _("输出文件夹“%(d)s”不存在，请先创建它或换一个路径。") % {"d": folder}
        )
    if not os.access(folder, os.W_OK):
        raise ArgumentTypeError(_("没有写入文件夹“%(d)s”的权限。") % {"d": folder})
    return str(path)


def existing_file(*suffixes: str, what: str = "") -> Callable[[str], str]:
    """A file that exists and can be read; with suffixes, of one of those kinds (an
    ``.xlsx`` must also be a zip archive, as every xlsx is). ``what`` names the file in
    the messages (名册文件, 规则文件 …)."""

    def check(text: str) -> str:
        path = Path(text)
        if not path.exists():
            raise ArgumentTypeError(_("找不到%(w)s：%(p)s") % {"w": what or _("文件"), "p": text})
        if not path.is_file():
            raise ArgumentTypeError(_("“%(p)s”不是文件。") % {"p": text})
        if not os.access(path, os.R_OK):
            raise ArgumentTypeError(_("没有读取文件“%(p)s”的权限。") % {"p": text})
        if suffixes and path.suffix.lower() not in suffixes:
            raise ArgumentTypeError(
                _("“%(p)s”不是 %(k)s 文件。") % {"p": path.name, "k": "、".join(suffixes)}
            )
        if path.suffix.lower() == ".xlsx" and not zipfile.is_zipfile(path):
            raise ArgumentTypeError(
                _("“%(p)s”不是有效的 Excel 工作簿（.xlsx），可能是改了扩展名的其他文件。")
                % {"p": path.name}
            )
        return str(path)

    check.__name__ = "file"
    return _portal_check(check)


# What reading a damaged file raises (a broken zip, malformed XML, a DTD refused by
# defusedxml, a member missing from the archive, a truncated stream).
UNREADABLE_FILE_ERRORS = (zipfile.BadZipFile, ParseError, KeyError, ValueError, OSError, EOFError)


# --- checks that depend on more than one argument (call at the top of ``handle``) -------


def as_of_in_year(text: str, of_year: int, *, today: dt.date | None = None) -> dt.date:
    """An as-of date ``YYYY-MM-DD`` inside ``of_year`` and not after today."""
    try:
        day = dt.date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise CommandError(
            _("截至日期“%(v)s”格式不对，应为 YYYY-MM-DD。") % {"v": str(text)[:20]}
        ) from exc
    if day.year != of_year:
        raise CommandError(
            _("截至日期 %(d)s 不在 %(y)d 年内。") % {"d": day.isoformat(), "y": of_year}
        )
    today = today or timezone.localdate()
    if day > today:
        raise CommandError(
            _("截至日期 %(d)s 晚于今天（%(t)s）。") % {"d": day.isoformat(), "t": today.isoformat()}
        )
    return day


# --- the base command ----------------------------------------------------------------------

_ARGPARSE = [
    (
        re.compile(r"the following arguments are required: (.*)", re.S),
        gettext_noop("缺少必填参数：%s"),
    ),
    (re.compile(r"unrecognized arguments: (.*)", re.S), gettext_noop("无法识别的参数：%s")),
    (re.compile(r"expected one argument", re.S), gettext_noop("缺少取值")),
    (re.compile(r"invalid int value: (.*)", re.S), gettext_noop("%s 不是整数")),
    (re.compile(r"invalid float value: (.*)", re.S), gettext_noop("%s 不是数字")),
    (re.compile(r"invalid choice: (.*?) \(choose from (.*)\)", re.S), None),
    (re.compile(r"ambiguous option: (.*)", re.S), gettext_noop("有歧义的参数：%s")),
    (re.compile(r"not allowed with argument (.*)", re.S), gettext_noop("不能与参数 %s 同时使用")),
]


def chinese_argument_error(message: str) -> str:
    """argparse's English error, as one Chinese line (our own types already speak it)."""
    prefix = ""
    match = re.match(r"argument ([^:]+): (.*)", message, re.S)
    if match:
        prefix, message = _("参数 %s：") % match.group(1), match.group(2)
    for pattern, template in _ARGPARSE:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        if template is None:  # invalid choice
            message = _("%(v)s 不是可选的取值（可选：%(c)s）") % {
                "v": found.group(1),
                "c": found.group(2),
            }
        else:
            message = _(template) % found.groups() if found.groups() else _(template)
        break
    else:
        if not re.search(r"[\u4e00-\u9fff]", message):
            message = _("参数有误：%s") % message
    return " ".join(f"{prefix}{message}".split())


class PortalCommand(BaseCommand):
    """A management command that answers bad arguments with one Chinese line and a non-zero
    exit status, never a traceback (WORKBOOK.md)."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        self._argument_types = {
            action.dest: action.type
            for action in parser._actions
            if getattr(action.type, "portal_check", False)
        }

        def error(message):
            text = chinese_argument_error(str(message))
            if parser.called_from_command_line:
                sys.stderr.write(f"CommandError: {text}\n")
                sys.exit(2)
            raise CommandError(text, returncode=2)

        parser.error = error
        return parser

    def execute(self, *args, **options):
        # call_command(..., year=1800) passes options past argparse's ``type``: check them too.
        for dest, check in getattr(self, "_argument_types", {}).items():
            value = options.get(dest)
            if value is not None:
                try:
                    options[dest] = check(str(value))
                except ArgumentTypeError as exc:
                    raise CommandError(chinese_argument_error(str(exc)), returncode=2) from exc
        try:
            return super().execute(*args, **options)
        except CommandError:
            raise
        except Exception as exc:
            # On the command line an unforeseen failure is one line too; tests (call_command)
            # and --traceback see the exception itself.
            if options.get("traceback") or not getattr(self, "_called_from_command_line", False):
                raise
            raise CommandError(
                _("命令未能完成：%(e)s（加 --traceback 可查看详细信息）")
                % {"e": " ".join(str(exc).split())[:300] or type(exc).__name__}
            ) from exc
