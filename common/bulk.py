"""What the bulk services of every app take and give back, one record at a time.

A bulk service (``project_bulk_save``, ``quota_bulk_save`` …) validates a batch by the same
rules as the forms and writes the valid records; each item then says what became of it. The
callers (the workbook importer, the forms, the admin) map a field name back to where the value
came from: a workbook cell, a form field.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, models, router
from django.db.models.base import ModelState
from django.db.models.fields.files import FieldFile
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.db.models.signals import post_init, pre_init

from common.lookups import array_literal

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


# --- lean model instances for the bulk services' look-ups --------------------------------


def loaded(queryset, fields: tuple[str, ...]) -> list:
    """``list(queryset.only(*fields))`` without ``Model.__init__``'s walk over every field
    for each row: the rows are read with ``values_list`` and each instance gets exactly the
    attributes ``only()`` would load (any other field is deferred and loads on first use,
    as with ``only()``). ``fields`` are attribute names (``unit_id``) and include the pk."""
    model = queryset.model
    alias = queryset.db
    new = model.__new__
    out = []
    for row in queryset.values_list(*fields):
        obj = new(model)
        obj.__dict__.update(zip(fields, row, strict=True))
        state = obj._state = ModelState()
        state.adding, state.db = False, alias
        out.append(obj)
    return out


_PLANS: dict = {}


def _plan(model) -> tuple[dict, list, dict]:
    """What ``model(**values)`` does for each field, worked out once per model: the fields
    whose default is a constant (one dict), those whose default is made per instance, and
    how each keyword is set (straight into ``__dict__``, or through the class's descriptor
    where it has a setter: a relation, a file)."""
    if model not in _PLANS:
        constants, factories, setters = {}, [], {}
        for f in model._meta.fields:
            if f.column is None or f.generated:
                continue
            if (f.has_default() and callable(f.default)) or f.has_db_default():
                factories.append((f.attname, f.get_default))
            else:
                constants[f.attname] = f.get_default()
            for name in {f.name, f.attname}:
                descriptor = getattr(model, name, None)
                setters[name] = hasattr(descriptor, "__set__")
            if _plain_relation(model, f):
                setters[f.name] = f
        _PLANS[model] = constants, factories, setters
    return _PLANS[model]


def _plain_relation(model, field) -> bool:
    """A many-to-one relation on one column, set through Django's own descriptor."""
    return (
        type(field) is models.ForeignKey
        and type(getattr(model, field.name, None)) is ForwardManyToOneDescriptor
        and len(field.related_fields) == 1
    )


def _relate(obj, field, value) -> None:
    """``obj.<field> = value`` as ForwardManyToOneDescriptor.__set__ does it for a new
    object without database routers: the id, the cached related object, the database the
    two share (the descriptor itself where anything else could happen: a wrong type, two
    databases)."""
    state = obj._state
    if value is None:
        obj.__dict__[field.attname] = None
    elif isinstance(value, field.remote_field.model._meta.concrete_model) and (
        state.db is None or value._state.db in (None, state.db)
    ):
        if state.db is None:
            state.db = value._state.db or DEFAULT_DB_ALIAS
        if value._state.db is None:
            value._state.db = state.db
        obj.__dict__[field.attname] = getattr(value, field.related_fields[0][1].attname)
    else:
        setattr(obj, field.name, value)
        return
    state.fields_cache[field.name] = value


def build(model, **values):
    """``model(**values)`` for a new record, the same instance without ``Model.__init__``'s
    walk over every field and keyword (the import builds thousands): every field gets its
    default, then each value is set as ``__init__`` sets it (a related object through its
    descriptor, which caches it). A model with init signals' receivers, or a keyword that
    is not a field, takes ``model(**values)`` itself. tests/common/test_bulk.py compares
    the two."""
    constants, factories, setters = _plan(model)
    if (
        pre_init.has_listeners(model)
        or post_init.has_listeners(model)
        or not setters.keys() >= values.keys()
    ):
        return model(**values)
    obj = model.__new__(model)
    obj._state = ModelState()
    attrs = obj.__dict__
    attrs.update(constants)
    for attname, default in factories:
        attrs[attname] = default()
    routed = bool(router.routers)
    for name, value in values.items():
        setter = setters[name]
        if setter is True or (setter and routed):
            setattr(obj, name, value)
        elif setter:
            _relate(obj, setter, value)
        else:
            attrs[name] = value
    return obj


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
    send = insert_job(model, objs, returning=returning)
    with connection.cursor() as cursor:
        send(cursor)
    return objs


def insert_job(model, objs: list, *, returning: bool = True) -> Callable[[Any], None]:
    """:func:`insert`'s statements, built now, sent later: the returned job takes a cursor
    (Django's, or a :class:`Writer`'s in its thread) and only sends them and sets each
    object's id from ``RETURNING``. Everything that needs Django's connection or costs
    Python time (the values' conversion, the timestamps, the arrays) happens here, in the
    caller's thread. Where the database cannot return the ids, the job is bulk_create
    (run at once: a :class:`Writer` sends in the background only on PostgreSQL)."""
    if returning and not connection.features.can_return_rows_from_bulk_insert:
        return lambda cursor: model.objects.bulk_create(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    stamped = [f for f in fields if _stamped(f)]
    stamps = []
    for f in stamped:  # the value Django's pre_save gives, once for the whole call
        value = f.pre_save(objs[0], add=True) if objs else None
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
    statements = []
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        rows = []
        for obj in batch:
            row = list(get_plain(obj)) if get_plain else [getattr(obj, f.attname) for f in plain]
            row.extend([convert(obj) for convert in converters])
            row.extend(stamps)
            rows.append(row)
        if unnest and len(batch) > 1:
            sql, params = _unnest_select(rows, unnest)
            statements.append((batch, head + sql + tail, params))
        else:
            sql = head + "VALUES " + ", ".join([marks] * len(batch)) + tail
            statements.append((batch, sql, [value for row in rows for value in row]))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias

    def send(cursor) -> None:
        for batch, sql, params in statements:
            cursor.execute(sql, params)
            if returning:
                for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                    obj.pk = pk

    return send


# --- writing while the caller goes on ---------------------------------------------------


class Writer:
    """Sends a bulk service's INSERTs (a job: statements built beforehand, see
    :func:`insert_job`) while the caller goes on with its next batch, so that the database
    writes one batch while Python reads and checks the next (an import of 100,000 rows
    spends about as long in each).

    On PostgreSQL inside a transaction, a job runs in a thread of its own on the same
    connection (psycopg's connection is thread-safe: a statement waits for the one in
    progress, and waiting lets Python run), so its rows belong to the caller's transaction
    and are rolled back with it; Django's connection object itself stays in the caller's
    thread (the job gets a cursor of the DB-API connection underneath). Anywhere else
    (SQLite, autocommit, ``background=False``) a job runs at once, as a plain write does.

    Rules of use, which keep a batch's look-ups exactly what they were:

    - At most one job runs: :meth:`submit` first waits for the one before (with ``hold``,
      :meth:`start` does).
    - Whatever reads what a job writes waits first (:meth:`wait`), or looks at
      :meth:`in_flight`: the records of the last two jobs submitted, which a look-up made
      since may or may not see. A rule that counts them as stored whether the look-up saw them
      or not gives the same answer as after a wait.
    - The caller's own writes wait first too, so that statements reach the database in
      the order they always did.
    - ``then`` is what needs the records' ids (given by the database): it runs in the
      caller's thread once the job is done (at the next :meth:`wait`, :meth:`submit` or
      the end of the ``with`` block).
    - Used as a context manager: its end waits for the last job and always stops the
      thread, also on an error. A job's error is raised in the caller's thread (as
      Django's database error, as if the statement had run there) at the next wait, or at
      the end, where it takes the place of the error it caused in the caller (a statement
      in an aborted transaction).

    ``hold=True``: a job submitted waits until :meth:`start` (or the next :meth:`wait`,
    :meth:`submit`, the end), while the job before it may still run: the caller reads its
    next batch and sends that batch's look-ups, then lets the held job run while it checks
    the batch in Python. Without it, those look-ups wait for the whole job, and the
    database idles while Python checks. Both jobs count as in flight.

    A job's statements still pass through the connection's execute wrappers (query
    counters, a benchmark's timer), called in the writer's thread with ``"background":
    True`` in their context; Django's own query log (DEBUG) does not list them.
    """

    def __init__(self, *, background: bool = True, hold: bool = False) -> None:
        self.background = background
        self.hold = hold
        self._thread: threading.Thread | None = None  # the job running
        self._then: Callable[[], None] | None = None  # its then
        self._held: tuple[threading.Thread, Callable | None] | None = None
        self._error: BaseException | None = None
        self._raised = False  # the error has reached the caller
        self._records: Sequence = ()  # the last job's
        self._before: Sequence = ()  # the job's before it

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self._records = self._before = ()
        if exc is None:
            self.wait()
            return
        self._then = None  # the caller failed: nothing more to do with these records
        self._held = None  # nor to write: the transaction goes back
        self._join()
        if self._error is not None and not self._raised:
            self._raise()  # the cause of the caller's error, most likely

    def submit(self, job: Callable[[Any], None], *, records: Sequence = (), then=None) -> None:
        """Run ``job(cursor)``: in the background where this writer can, else now.
        ``records``: what it inserts (see :meth:`in_flight`)."""
        background = (
            self.background and connection.vendor == "postgresql" and connection.in_atomic_block
        )
        if self.hold and background:
            self.start()  # a job still held goes first (the one running, before it)
        else:
            self.wait()
        self._before, self._records = self._records, records
        if not background:
            with connection.cursor() as cursor:
                job(cursor)
            if then is not None:
                then()
            return
        connection.ensure_connection()
        cursor = _BackgroundCursor(connection, connection.connection.cursor())
        thread = threading.Thread(
            target=self._run, args=(job, cursor), name="bulk-writer", daemon=True
        )
        if self.hold:
            self._held = thread, then
        else:
            self._thread, self._then = thread, then
            thread.start()

    def start(self) -> None:
        """Let a held job run (see ``hold``), once the one before it is done; nothing to do
        without one."""
        if self._held is None:
            return
        self._finish()
        (thread, then), self._held = self._held, None
        self._thread, self._then = thread, then
        thread.start()

    def wait(self) -> None:
        """Until the last job is done (its error raised here); then its ``then``."""
        self.start()
        self._finish()

    def in_flight(self, model) -> list:
        """The records of ``model`` the last two jobs insert: a look-up made since the last
        was submitted may or may not see them (until the next :meth:`submit`). With
        ``hold``, the one before the last may still be running; without, it is done, and
        counting its records (which a look-up sees) gives the same answers."""
        return [r for r in (*self._before, *self._records) if isinstance(r, model)]

    def _finish(self) -> None:
        """The job running done: its error raised here, else its ``then`` run."""
        self._join()
        if self._error is not None:
            self._raise()
        then, self._then = self._then, None
        if then is not None:
            then()

    def _run(self, job, cursor) -> None:
        try:
            with closing(cursor.cursor):
                job(cursor)
        except BaseException as error:  # raised in the caller's thread
            self._error = error

    def _join(self) -> None:
        thread, self._thread = self._thread, None
        # Even a Ctrl-C waits for the job's end: a statement sent after the transaction's
        # rollback would run in autocommit, and stay.
        interrupted = None
        while thread is not None and thread.is_alive():
            try:
                thread.join()
            except BaseException as error:
                interrupted = interrupted or error
        if interrupted is not None:
            raise interrupted

    def _raise(self) -> NoReturn:
        self._raised = True
        with connection.wrap_database_errors:  # psycopg's error → Django's, as in a cursor
            raise self._error


class _BackgroundCursor:
    """A DB-API cursor used in a :class:`Writer`'s thread, through the execute wrappers of
    the connection it came from (a copy of the list, taken in the caller's thread)."""

    def __init__(self, db, cursor) -> None:
        self.db, self.cursor = db, cursor
        self.wrappers = tuple(db.execute_wrappers)

    def execute(self, sql, params=None):
        executor = self._execute
        for wrapper in reversed(self.wrappers):
            executor = functools.partial(wrapper, executor)
        context = {"connection": self.db, "cursor": self, "background": True}
        return executor(sql, params, False, context)

    def _execute(self, sql, params, many, context):
        return self.cursor.execute(sql, params)

    def fetchall(self):
        return self.cursor.fetchall()


def _unnest_types(columns: list) -> list[str]:
    """Each column's type (``bigint``, ``varchar`` …) for an INSERT … SELECT … FROM UNNEST
    on PostgreSQL, under the conditions Django's own PostgreSQL compiler uses it; empty
    elsewhere."""
    if connection.vendor != "postgresql":
        return []
    types = []
    for column in columns:
        target = column.target_field if column.is_relation else column
        if hasattr(column, "get_placeholder") or (
            target.get_internal_type() not in connection.data_types
        ):
            return []
        types.append(column.db_type(connection).split("(")[0])
    return types


def _unnest_select(rows: list[list], types: list[str]) -> tuple[str, list]:
    """PostgreSQL: ``SELECT … FROM UNNEST(%s::bigint[], …)``, one array per column, as
    Django's own bulk_create sends rows there (a short statement to plan, whatever the
    number of rows); a column with the same value in every row of the batch (an empty
    text, a flag, the user, the timestamp: most of an imported record's columns) is sent
    once as a value, not as an array of copies for the server to parse."""
    select, values, arrays, casts = [], [], [], []
    for column, type_ in zip(zip(*rows, strict=True), types, strict=True):
        first = column[0]
        if column.count(first) == len(column):
            select.append("(%%s)::%s" % type_)
            values.append(first)
        else:
            select.append("u.c%d" % len(arrays))
            casts.append("(%%s)::%s[]" % type_)
            literal = array_literal(column)
            arrays.append(list(column) if literal is None else literal)
    if not arrays:  # the same row repeated
        source, params = "generate_series(1, %s)", [len(rows)]
    else:
        names = ", ".join("c%d" % n for n in range(len(arrays)))
        source, params = "UNNEST(%s) AS u(%s)" % (", ".join(casts), names), arrays
    return "SELECT %s FROM %s" % (", ".join(select), source), [*values, *params]


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


def add_to(model, keys: tuple[str, ...], rows: list[tuple], field: str = "amount") -> None:
    """Add amounts to cells: for each row (the key fields' values in the order of ``keys``,
    then the amount), the record with that key gets ``field = field + amount``, or is
    created with the amount. One ``INSERT … ON CONFLICT (keys) DO UPDATE`` per batch, on
    PostgreSQL and SQLite alike (the key must be a unique constraint of the table), with
    no read first: the increment happens in the database, as ``F(field) + amount`` does,
    so two transactions adding to the same cell both count. The rows are written in key
    order, so that two such writers lock shared cells in the same order."""
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in (*keys, field)]
    target = meta.get_field(field)
    table, column = quote(meta.db_table), quote(target.column)
    head = "INSERT INTO %s (%s) " % (table, ", ".join(quote(c.column) for c in columns))
    tail = " ON CONFLICT (%s) DO UPDATE SET %s = %s.%s + EXCLUDED.%s" % (
        ", ".join(quote(c.column) for c in columns[:-1]),
        column,
        table,
        column,
        column,
    )
    types = _unnest_types(columns)
    marks = "(%s)" % ", ".join(["%s"] * len(columns))
    size = max(1, min(INSERT_BATCH, connection.ops.bulk_batch_size(columns, rows)))
    decimal = isinstance(target, models.DecimalField)
    adapt = connection.ops.adapt_decimalfield_value

    def amount(value):  # get_db_prep_save's result; the short way for a Decimal
        if decimal and type(value) is Decimal:
            return adapt(value, target.max_digits, target.decimal_places)
        return target.get_db_prep_save(value, connection)

    prepared = sorted((*row[:-1], amount(row[-1])) for row in rows)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), size):
            batch = prepared[start : start + size]
            if types:  # PostgreSQL: one array per column, as insert() sends them
                names = ", ".join("c%d" % n for n in range(len(columns)))
                casts = ", ".join("(%%s)::%s[]" % t for t in types)
                sql = head + "SELECT * FROM UNNEST(%s) AS u(%s)" % (casts, names) + tail
                arrays = [(array_literal(c), c) for c in zip(*batch, strict=True)]
                cursor.execute(sql, [list(c) if lit is None else lit for lit, c in arrays])
            else:
                sql = head + "VALUES " + ", ".join([marks] * len(batch)) + tail
                cursor.execute(sql, [value for row in batch for value in row])


@contextmanager
def keyed_reads():
    """Inside: PostgreSQL plans every statement of the transaction as the keyed look-up it is.

    A bulk service looks up a chunk's keys at once (2,000 凭证号 or project ids). On a table
    PostgreSQL has not analyzed yet (a new district's first import, or any import right after
    a bulk load: ``reltuples`` is -1 until autovacuum comes round) it has no idea how few rows
    2,000 keys match, and scans the whole table instead of the indexes; as the import writes,
    each chunk scans a larger table, and an import of 100,000 inflows spends seconds scanning.
    ``enable_seqscan = off`` makes a scan the last resort (a table without a usable index is
    still scanned). A plan forced that way costs more than ``jit_above_cost``, and compiling
    it would take 60 ms for a five-row table: ``jit = off`` too. Both for this transaction
    only; the previous settings come back on leaving. Use it directly inside
    ``transaction.atomic``, whose rollback on an error undoes them.
    Elsewhere (SQLite) it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('jit'), "
            "set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"
        )
        seqscan, jit = cursor.fetchone()[:2]
    # Given back only on a normal exit. A block left by an error (or rolled back: a dry run)
    # takes the settings with it: PostgreSQL undoes a SET LOCAL with the savepoint or
    # transaction before it, and the transaction may be aborted (a background writer's
    # error), where any statement would only hide the error with its own.
    yield
    if not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('jit', %s, true)",
                [seqscan, jit],
            )


@contextmanager
def checked_per_statement():
    """Inside: PostgreSQL checks the foreign keys of each statement when it ends, not at commit.

    Django makes every foreign key ``DEFERRABLE INITIALLY DEFERRED``: PostgreSQL queues a check
    for every row written and runs them all at commit. An import of 120,000 rows then spends
    2–3 s committing, with nothing else to do. Checked per statement, the same checks run
    inside each INSERT, which the background writer (``Writer``) sends while Python reads
    the next chunk. A bulk service writes the rows a row refers to first, so nothing it
    writes needs the deferral. A violation is refused by its statement, with the same error.

    On a normal exit the constraints are deferred again, as they were: every deferrable
    constraint of the portal is initially deferred (a test checks). A block left by an error
    is rolled back, which takes the setting with it. Elsewhere (SQLite) it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    if not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
