"""The ``<year:year>`` URL converter: a four-digit year the portal keeps, else 404.

Registered once (common/apps.py), so no view checks a year's range by hand. The range is
that of the command-line arguments (common/commands.py), which a test keeps equal to
targets' MIN_YEAR / MAX_YEAR: common imports no domain app.
"""

from __future__ import annotations

from common.commands import FIRST_YEAR, LAST_YEAR


def parse_year(text: str) -> int:
    """A year the portal keeps (FIRST_YEAR–LAST_YEAR) written as four digits; ValueError
    otherwise. Also for years read from a query string."""
    value = str(text).strip()
    if len(value) != 4 or not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise ValueError(value)
    return int(value)


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        # A ValueError makes the pattern not match: a year out of range answers 404.
        return parse_year(value)

    def to_url(self, value: int) -> str:
        # Links to a neighbouring year just outside the range still build (and answer 404).
        return f"{int(value):04d}"
