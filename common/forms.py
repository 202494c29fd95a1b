"""Form helpers shared by the apps' views."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.db.models import CheckConstraint, UniqueConstraint
from django.utils.translation import gettext_lazy as _


class SearchableSelect(forms.Select):
    """A long select (the district's ~90 units) that the browser turns into a search box.

    The attribute is all the server does: static/js/searchable-select.js (loaded by
    base.html, no inline script under the CSP) hands every ``select[data-searchable]`` to the
    vendored Tom Select. Without JavaScript it stays an ordinary select that submits the same
    value, so filters, forms and tests do not depend on it.
    """

    def __init__(self, attrs=None, choices=()):
        base = {"data-searchable": "", "data-no-results": _("没有匹配的选项")}
        super().__init__({**base, **(attrs or {})}, choices)


def add_validation_error(form, error: ValidationError | IntegrityError) -> None:
    """Put a service's ValidationError onto the form, field by field where it can.

    An IntegrityError from a unique (or check) constraint — two people, or one double
    click, saving the same thing at once: both pass validation, the database lets one
    through — becomes the form's own error, with the message the model gives that
    constraint (the one full_clean shows when the rows are saved one after the other).
    Any other IntegrityError is raised again.
    """
    if isinstance(error, IntegrityError):
        mapped = constraint_violation(error)
        if mapped is None:
            raise error
        error = mapped
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- IntegrityError → the model's own message --------------------------------------------


@dataclass(frozen=True)
class _Rule:
    model: type
    fields: tuple[str, ...]
    constraint: UniqueConstraint | CheckConstraint | None  # None: a field's unique=True

    def error(self) -> ValidationError:
        """The error full_clean raises for this rule (Model.validate_unique and
        Model.validate_constraints), keyed by the field when there is exactly one."""
        constraint = self.constraint
        custom = constraint is not None and (
            constraint.violation_error_message != constraint.default_violation_error_message
        )
        if self.fields and not custom:
            error = self.model().unique_error_message(self.model, self.fields)
        else:
            error = ValidationError(constraint.get_violation_error_message())
        if len(self.fields) == 1 and not isinstance(constraint, CheckConstraint):
            # A keyed-hash column (common.fields) reports on the encrypted field it serves.
            field = self.model._meta.get_field(self.fields[0])
            return ValidationError({getattr(field, "reports_errors_as", "") or field.name: [error]})
        return ValidationError({NON_FIELD_ERRORS: [error]})


@functools.cache
def _rules() -> tuple[dict[str, _Rule], dict[tuple[str, frozenset[str]], _Rule]]:
    """Every constraint of every model, by name and by (table, columns)."""
    by_name: dict[str, _Rule] = {}
    by_columns: dict[tuple[str, frozenset[str]], _Rule] = {}
    for model in apps.get_models():
        meta = model._meta
        for constraint in meta.constraints:
            if isinstance(constraint, UniqueConstraint):
                fields = tuple(constraint.fields)
                rule = _Rule(model, fields, constraint)
                if fields:
                    columns = frozenset(meta.get_field(f).column for f in fields)
                    by_columns.setdefault((meta.db_table, columns), rule)
            elif isinstance(constraint, CheckConstraint):
                rule = _Rule(model, (), constraint)
            else:
                continue
            by_name[constraint.name.lower()] = rule
        for field in meta.local_fields:
            if field.unique and not field.primary_key:
                by_columns[(meta.db_table, frozenset([field.column]))] = _Rule(
                    model, (field.name,), None
                )
    return by_name, by_columns


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_SQLITE_INDEX = re.compile(r"index '([^']+)'")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\S+)")
_POSTGRES_KEY = re.compile(r"Key \((.+?)\)=")


def constraint_violation(error: IntegrityError) -> ValidationError | None:
    """The ValidationError for the model constraint an IntegrityError broke (PostgreSQL:
    the constraint's name, or the table and key columns; SQLite: the table and columns, or
    the constraint's name), or None when it is none of ours."""
    by_name, by_columns = _rules()
    cause = error.__cause__ or error
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        name = (getattr(diag, "constraint_name", None) or "").lower()
        if name in by_name:
            return by_name[name].error()
        table = getattr(diag, "table_name", None) or ""
        key = _POSTGRES_KEY.search(getattr(diag, "message_detail", None) or "")
        if table and key:
            columns = frozenset(c.strip().strip('"') for c in key.group(1).split(","))
            rule = by_columns.get((table, columns))
            return rule.error() if rule else None
        return None
    text = str(cause)
    unique = _SQLITE_UNIQUE.search(text)
    if unique:
        index = _SQLITE_INDEX.search(unique.group(1))
        if index:
            rule = by_name.get(index.group(1).lower())
            return rule.error() if rule else None
        pairs = [part.strip().rsplit(".", 1) for part in unique.group(1).split(",")]
        if all(len(pair) == 2 for pair in pairs) and len({t for t, _c in pairs}) == 1:
            rule = by_columns.get((pairs[0][0], frozenset(c for _t, c in pairs)))
            return rule.error() if rule else None
        return None
    check = _SQLITE_CHECK.search(text)
    if check and check.group(1).lower() in by_name:
        return by_name[check.group(1).lower()].error()
    return None
