"""What the bulk services of every app take and give back, one record at a time.

A bulk service (``project_bulk_save``, ``quota_bulk_save`` …) validates a batch by the same
rules as the forms and writes the valid records; each item then says what became of it. The
callers (the workbook importer, the forms, the admin) map a field name back to where the value
came from: a workbook cell, a form field.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.fields.files import FieldFile

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


# --- a lean INSERT for the bulk services ---------------------------------------------------

# Fields whose Python value is already what the database takes (str, bool, int, an id):
# sent as they are. Any other field (a date, a Decimal, a file) goes through its own
# ``get_db_prep_save``, as Django's bulk_create does.
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.ForeignKey,
)
INSERT_BATCH = 1000


def _plain(field) -> bool:
    if isinstance(field, models.ForeignKey):
        return isinstance(field.target_field, (models.AutoField, models.BigAutoField))
    return isinstance(field, PLAIN_FIELDS) and not isinstance(field, models.FileField)


def _stamped(field) -> bool:
    return isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)


def insert(model, objs: list, *, returning: bool = True) -> list:
    """``model.objects.bulk_create(objs)`` for new records whose every field is set, as one
    multi-row ``INSERT … VALUES (…), (…) RETURNING id`` per batch built straight from the
    objects' attributes: Django's bulk_create compiles each value through the field (about
    half the import's writing time); here only dates, amounts and other non-plain values
    are, and auto_now fields get one timestamp per call. The ids come back onto the
    objects (``returning``, where the database can: PostgreSQL, SQLite ≥ 3.35; else this is
    bulk_create). No signal is sent, as with bulk_create."""
    if not objs:
        return objs
    if returning and not connection.features.can_return_rows_from_bulk_insert:
        return model.objects.bulk_create(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    stamped = [f for f in fields if _stamped(f)]
    stamps = []
    for f in stamped:  # the value Django's pre_save gives, once for the whole call
        value = f.pre_save(objs[0], add=True)
        for obj in objs[1:]:
            setattr(obj, f.attname, value)
        stamps.append(f.get_db_prep_save(value, connection))
    plain = [f for f in fields if _plain(f)]
    prepared = [f for f in fields if f not in plain and f not in stamped]
    columns = [*plain, *prepared, *stamped]
    get_plain = attrgetter(*[f.attname for f in plain]) if len(plain) > 1 else None
    converters = [_converter(f) for f in prepared]
    quote = connection.ops.quote_name
    head = "INSERT INTO %s (%s) " % (
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in columns),
    )
    tail = " RETURNING %s" % quote(meta.pk.column) if returning else ""
    unnest = _unnest_types(columns)
    marks = "(%s)" % ", ".join(["%s"] * len(columns))
    size = max(1, min(INSERT_BATCH, connection.ops.bulk_batch_size(columns, objs)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            rows = []
            for obj in batch:
                row = (
                    list(get_plain(obj)) if get_plain else [getattr(obj, f.attname) for f in plain]
                )
                row.extend([convert(obj) for convert in converters])
                row.extend(stamps)
                rows.append(row)
            if unnest and len(batch) > 1:
                # PostgreSQL: one array per column, as Django's own bulk_create sends them
                # there (a short statement to plan, whatever the number of rows).
                sql = head + "SELECT * FROM UNNEST(%s)" % unnest + tail
                cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
            else:
                sql = head + "VALUES " + ", ".join([marks] * len(batch)) + tail
                cursor.execute(sql, [value for row in rows for value in row])
            if returning:
                for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                    obj.pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def _unnest_types(columns: list) -> str:
    """``(%s)::bigint[], (%s)::varchar[] …`` for an INSERT … SELECT * FROM UNNEST on
    PostgreSQL, under the conditions Django's own PostgreSQL compiler uses it; "" elsewhere."""
    if connection.vendor != "postgresql":
        return ""
    types = []
    for column in columns:
        target = column.target_field if column.is_relation else column
        if hasattr(column, "get_placeholder") or (
            target.get_internal_type() not in connection.data_types
        ):
            return ""
        types.append("(%%s)::%s[]" % column.db_type(connection).split("(")[0])
    return ", ".join(types)


def _converter(field):
    """obj → the field's value for the database, as ``field.get_db_prep_save(
    field.pre_save(obj, add=True))`` gives it, with a short way for the usual values: a
    date, a Decimal, a file field's stored name, None (NULL for every field but JSON); a
    value repeated from the previous object (one timestamp for a batch) is converted once."""

    def slow(obj):
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    if isinstance(field, models.FileField):
        return _file_converter(field.attname, slow)
    if isinstance(field, models.DecimalField):
        return _decimal_converter(field, slow)
    if type(field) is models.DateField:
        return _date_converter(field.attname, slow)
    return _repeat_converter(field, slow)


def _file_converter(attname: str, slow):
    def convert(obj):
        raw = obj.__dict__.get(attname)  # the stored name, or the descriptor's FieldFile
        if type(raw) is str:
            return raw
        if isinstance(raw, FieldFile) and (not raw or raw._committed):
            return str(raw)  # nothing to save first: its name, as get_prep_value gives it
        return slow(obj)

    return convert


def _decimal_converter(field, slow):
    adapt, attname = connection.ops.adapt_decimalfield_value, field.attname
    digits, places = field.max_digits, field.decimal_places

    def convert(obj):
        value = getattr(obj, attname)
        if type(value) is Decimal:
            return adapt(value, digits, places)
        return None if value is None else slow(obj)

    return convert


def _date_converter(attname: str, slow):
    adapt = connection.ops.adapt_datefield_value

    def convert(obj):
        value = getattr(obj, attname)
        if type(value) is dt.date:
            return adapt(value)
        return None if value is None else slow(obj)

    return convert


def _repeat_converter(field, slow):
    attname, json = field.attname, isinstance(field, models.JSONField)
    last: list = [object(), None]

    def convert(obj):
        value = getattr(obj, attname)
        if value is None and not json:
            return None
        if value is not last[0]:
            last[:] = value, slow(obj)
        return last[1]

    return convert
