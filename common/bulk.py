"""What the bulk services of every app take and give back, one record at a time.

A bulk service (``project_bulk_save``, ``quota_bulk_save`` …) validates a batch by the same
rules as the forms and writes the valid records; each item then says what became of it. The
callers (the workbook importer, the forms, the admin) map a field name back to where the value
came from: a workbook cell, a form field.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class BulkItem:
    """One record to create (``current`` is None) or update, and what became of it.

    ``errors`` and ``warnings`` are (field name or None, message).
    """

    data: dict
    current: Any = None
    obj: Any = None
    action: str = ""  # CREATED, UPDATED, UNCHANGED; "" while refused
    changed: list[str] = field(default_factory=list)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    slip: str = ""
    matches: list[int] = field(default_factory=list)  # ids of another unit's same project

    @property
    def ok(self) -> bool:
        return not self.errors and self.obj is not None

    def refuse(self, name: str | None, message: str) -> None:
        self.errors.append((name, message))

    def refuse_all(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for message in ValidationError(errors).messages:
                    self.errors.append((None if name == "__all__" else name, message))
        else:
            self.errors.extend((None, message) for message in error.messages)

    def as_error(self) -> ValidationError:
        by_field: dict[str, list[str]] = defaultdict(list)
        for name, message in self.errors:
            by_field[name or "__all__"].append(message)
        return ValidationError(dict(by_field))
