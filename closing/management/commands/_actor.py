"""Argument helpers of closing's commands: the month, and --user (the named account acts;
without it the system actor 命令行)."""

from argparse import ArgumentTypeError

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def month_arg(text: str) -> int:
    """1–12 (a month passed to call_command as a number is checked by the service)."""
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= 12:
        raise ArgumentTypeError(f"月份 {value[:20]} 无效：应为 1–12。")
    return int(value)


def actor(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"找不到账号“{username}”（或已停用）。")
    return user
