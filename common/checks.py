"""System checks for the local set-up. Settings create no folder when they are imported,
so a missing one is named here, with the command that makes it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register


@register()
def sqlite_folder_exists(app_configs=None, **kwargs) -> list[Warning]:
    """A SQLite database whose folder is missing cannot be created ("unable to open
    database file"); `make setup` creates var/."""
    problems = []
    for alias, database in settings.DATABASES.items():
        name = str(database.get("NAME") or "")
        if database.get("ENGINE") != "django.db.backends.sqlite3" or name.startswith(
            (":memory:", "file:")
        ):
            continue
        folder = Path(name).parent
        if not folder.is_dir():
            problems.append(
                Warning(
                    f"The folder of the SQLite database {alias!r} does not exist: {folder}",
                    hint=f"Run `make setup`, or create it: mkdir -p {folder}",
                    id="common.W001",
                )
            )
    return problems
