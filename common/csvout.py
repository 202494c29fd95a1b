"""The one CSV writer: every CSV export writes its rows through ``safe_writer``.

A text field that a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, WORKBOOK.md) gets a leading ``'``; numbers, and text that
is simply a number written out (``-8.34``), are written as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from common.xlsx import is_formula_like


def csv_safe(value):
    """The field as it may go into a CSV file."""
    return f"'{value}" if is_formula_like(value) else value


class SafeWriter:
    """``csv.writer`` with every field passed through ``csv_safe``.

    A field holding a carriage return is quoted too (with ``lineterminator="\n"`` the csv
    module would leave it bare, and a reader would take it for the end of the row): such a
    row is written with every field quoted, which every reader takes as the same values.
    """

    def __init__(self, handle, **kwargs):
        self._writer = csv.writer(handle, **kwargs)
        self._quoting_all = csv.writer(handle, **{**kwargs, "quoting": csv.QUOTE_ALL})

    def writerow(self, row: Sequence):
        fields = [csv_safe(value) for value in row]
        if any(isinstance(value, str) and "\r" in value for value in fields):
            return self._quoting_all.writerow(fields)
        return self._writer.writerow(fields)

    def writerows(self, rows: Iterable[Sequence]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(handle, **kwargs) -> SafeWriter:
    return SafeWriter(handle, **kwargs)
