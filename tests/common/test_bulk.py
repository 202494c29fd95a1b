"""The bulk services' lean helpers (common/bulk.py) and the fast accept of the shared model
validation (projects.services._validate): each must do exactly what the Django call it
stands for does. These run on SQLite and, with DATABASE_URL, on PostgreSQL (the UNNEST and
ON CONFLICT statements differ there)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, connection, transaction
from django.db.models.fields.files import FieldFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.bulk import Writer, add_to, build, insert, insert_job, loaded
from common.lookups import array_literal
from projects import services
from projects.models import Inflow, InflowStatus, Project, Stage
from targets.models import CapitalType, Indicator, Rollup, Tally
from tests.factories import ProjectFactory, UnitFactory, UserFactory


def _state(obj) -> dict:
    """What an instance holds: its attributes (a file by name) and its cached relations."""
    attrs = {
        k: (str(v) if isinstance(v, FieldFile) else v)
        for k, v in obj.__dict__.items()
        if k != "_state"
    }
    return {
        "attrs": attrs,
        "cache": dict(obj._state.fields_cache),
        "adding": obj._state.adding,
        "db": obj._state.db,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("with_user", [False, True])
def test_build_makes_the_instance_the_model_makes(with_user):
    project = ProjectFactory()
    user = UserFactory() if with_user else None
    values = {
        "project": project,
        "arrived_on": dt.date(2025, 3, 1),
        "amount": D("12.50"),
        "voucher_no": "V-1",
        "created_by": user,
        "status": InflowStatus.PENDING,
    }
    assert _state(build(Inflow, **values)) == _state(Inflow(**values))
    data = {
        "code": "P-1",
        "name": "项目",
        "capital_type": CapitalType.DOMESTIC,
        "unit": project.unit,
        "origin": "广东省",
        "stage": Stage.SIGNED,
        "signed_on": dt.date(2025, 2, 1),
        "contract_amount": D("100.00"),
        "event": None,
        "is_park_project": True,
    }
    assert _state(build(Project, created_by=user, **data)) == _state(
        Project(created_by=user, **data)
    )


@pytest.mark.django_db
def test_build_by_ids_and_refusals_as_the_model():
    unit = UnitFactory()
    assert _state(build(Project, unit_id=unit.pk, code="X")) == _state(
        Project(unit_id=unit.pk, code="X")
    )
    with pytest.raises(ValueError):  # the descriptor's own refusal of a wrong type
        build(Inflow, project=unit)
    with pytest.raises(TypeError):  # not a field: the model's own error
        build(Inflow, no_such_field=1)


@pytest.mark.django_db
def test_loaded_is_only_without_the_walk():
    ProjectFactory.create_batch(3)
    fields = ("id", "code", "unit_id", "stage", "signed_on", "contract_amount")
    ours = loaded(Project.objects.order_by("pk"), fields)
    theirs = list(Project.objects.order_by("pk").only(*fields))
    assert [_state(p) for p in ours] == [_state(p) for p in theirs]
    assert ours[0].get_deferred_fields() == theirs[0].get_deferred_fields()
    assert ours[0].name == theirs[0].name  # a deferred field loads on first use


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3, 1200])
def test_insert_sends_repeated_columns_once_and_keeps_every_value(rows):
    project = ProjectFactory(signed_on=dt.date(2025, 1, 1))
    objs = [
        Inflow(
            project=project,
            arrived_on=dt.date(2025, 2, 1 + n % 20),
            amount=D("1.00") if n % 3 else D("2.50"),
            voucher_no=f"B-{n}",
            status=InflowStatus.VERIFIED if n % 2 else InflowStatus.PENDING,
            verified_at=None,
        )
        for n in range(rows)
    ]
    for obj in objs:
        if obj.status == InflowStatus.VERIFIED:
            obj.verified_at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    insert(Inflow, objs)
    stored = {i.pk: i for i in Inflow.objects.all()}
    assert len(stored) == rows
    for obj in objs:
        row = stored[obj.pk]
        assert (row.voucher_no, row.amount, row.arrived_on, row.status) == (
            obj.voucher_no,
            obj.amount,
            obj.arrived_on,
            obj.status,
        )
        assert row.verified_at == obj.verified_at and row.evidence.name == ""


AWKWARD_TEXTS = [
    'he said "no"',
    "back\\slash\\",
    "{a,b}",
    "NULL",
    " lead",
    "",
    "逗号，引号“”",
    "x\ty",
]


@pytest.mark.django_db
def test_insert_keeps_awkward_texts_amounts_and_nulls_as_they_were():
    """On PostgreSQL a varying column goes as one array literal: quotes, backslashes, braces,
    the word NULL and empty texts come back unchanged, and None stays NULL."""
    project = ProjectFactory(signed_on=dt.date(2025, 1, 1))
    texts = AWKWARD_TEXTS * 3
    objs = [
        Inflow(
            project=project,
            arrived_on=dt.date(2025, 2, 1 + n % 20),
            amount=D("0.01") * (n + 1) + D("123456789.99") * (n % 2),
            voucher_no=f"V{n}-{text}" if text else f"V{n}",
            return_reason=text,
            status=InflowStatus.VERIFIED if n % 3 else InflowStatus.PENDING,
            verified_at=dt.datetime(2025, 3, 1, 8, n, tzinfo=dt.UTC) if n % 3 else None,
            amount_flagged=bool(n % 2),
            amount_flag_reason="大额" if n % 2 else "",
        )
        for n, text in enumerate(texts)
    ]
    insert(Inflow, objs)
    stored = {i.pk: i for i in Inflow.objects.all()}
    assert len(stored) == len(objs)
    for obj in objs:
        row = stored[obj.pk]
        assert (row.voucher_no, row.return_reason, row.amount, row.verified_at) == (
            obj.voucher_no,
            obj.return_reason,
            obj.amount,
            obj.verified_at,
        )
        assert (row.amount_flagged, row.amount_flag_reason) == (
            obj.amount_flagged,
            obj.amount_flag_reason,
        )


def test_array_literals_for_the_usual_types_and_none_for_others():
    assert array_literal(['a"b', "c\\d", None, ""]) == '{"a\\"b","c\\\\d",NULL,""}'
    assert array_literal([1, None, 3]) == "{1,NULL,3}"
    assert array_literal([True, False]) == "{t,f}"
    assert array_literal([D("1.50"), D("2E+3")]) == "{1.50,2E+3}"
    assert array_literal([D("1.50"), None]) == "{1.50,NULL}"
    assert array_literal([D("1.50"), D("Infinity")]) is None
    assert array_literal([dt.date(2025, 1, 2)]) == "{2025-01-02}"
    assert array_literal([dt.date(2025, 1, 2), None]) == '{"2025-01-02",NULL}'
    assert array_literal(["a", "b c", "{,}"]) == '{"a","b c","{,}"}'  # joined at once
    assert array_literal([]) == "{}"
    aware = dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)
    assert array_literal([aware]) == '{"2025-01-02T03:04:00+00:00"}'
    assert array_literal([dt.datetime(2025, 1, 2)]) is None  # naive: psycopg decides
    assert array_literal([D("NaN")]) is None
    assert array_literal([1.5]) is None


@pytest.mark.django_db
def test_add_to_creates_and_increments_cells():
    unit = UnitFactory()
    indicator = Indicator.objects.get(code="fdi_actual")
    keys = ("year", "month", "day", "unit_id", "indicator_id")
    add_to(Rollup, keys, [(2025, 3, 0, unit.pk, indicator.pk, D("10.50"))])
    add_to(
        Rollup,
        keys,
        [
            (2025, 3, 0, unit.pk, indicator.pk, D("-0.25")),
            (2025, 3, 4, unit.pk, indicator.pk, D("7.00")),
        ],
    )
    cells = {
        (r.month, r.day): r.amount for r in Rollup.objects.filter(unit=unit, indicator=indicator)
    }
    assert cells == {(3, 0): D("10.25"), (3, 4): D("7.00")}
    add_to(Tally, ("year", "month", "day", "key"), [(2025, 3, 0, "t.x", D("1"))] * 1)
    add_to(Tally, ("year", "month", "day", "key"), [(2025, 3, 0, "t.x", D("2"))])
    assert Tally.objects.get(key="t.x", year=2025, month=3, day=0).amount == D("3")


@pytest.mark.django_db
def test_add_to_many_rows_in_batches():
    unit = UnitFactory()
    indicator = Indicator.objects.get(code="fdi_actual")
    keys = ("year", "month", "day", "unit_id", "indicator_id")
    rows = [(2024, m, d, unit.pk, indicator.pk, D("1.01")) for m in range(1, 13) for d in range(29)]
    add_to(Rollup, keys, rows)
    add_to(Rollup, keys, rows)
    amounts = set(Rollup.objects.filter(unit=unit).values_list("amount", flat=True))
    assert Rollup.objects.filter(unit=unit).count() == len(rows) and amounts == {D("2.02")}


# --- the background writer ------------------------------------------------------------------

ON_POSTGRES = connection.vendor == "postgresql"


def _inflows(project, n: int, prefix: str = "W") -> list:
    return [
        Inflow(
            project=project,
            arrived_on=dt.date(2025, 2, 1),
            amount=D("1.00"),
            voucher_no=f"{prefix}-{i}",
            status=InflowStatus.PENDING,
        )
        for i in range(n)
    ]


def _writer_threads() -> list:
    return [t for t in threading.enumerate() if t.name == "bulk-writer"]


@pytest.mark.django_db
def test_a_writer_without_its_thread_writes_at_once():
    project = ProjectFactory(signed_on=dt.date(2025, 1, 1))
    objs, done = _inflows(project, 3), []
    with Writer(background=False) as writer:
        writer.submit(
            insert_job(Inflow, objs), records=[*objs, project], then=lambda: done.append(1)
        )
        assert done == [1] and all(obj.pk for obj in objs)
        assert Inflow.objects.filter(voucher_no__startswith="W-").count() == 3
        assert writer.in_flight(Inflow) == objs  # the last job's, written or not
    assert _writer_threads() == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: the writer's thread")
@pytest.mark.django_db
def test_a_writer_sends_in_its_thread_and_then_runs_in_the_callers():
    project = ProjectFactory(signed_on=dt.date(2025, 1, 1))
    objs, seen, then = _inflows(project, 1200), [], []
    send = insert_job(Inflow, objs)

    def job(cursor):
        seen.append(threading.current_thread().name)
        send(cursor)

    def wrapper(execute, sql, params, many, context):
        seen.append(("background" if context.get("background") else "caller", sql.split()[0]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper), Writer() as writer:
        writer.submit(job, records=objs, then=lambda: then.append(threading.current_thread()))
        assert then == []  # not before the job is done
        writer.wait()
        assert then == [threading.current_thread()]
        assert Inflow.objects.filter(voucher_no__startswith="W-").count() == 1200
    background = [("background", "INSERT")] * 2  # 1,200 rows: two statements
    assert seen == ["bulk-writer", *background, ("caller", "SELECT")]
    assert sorted(obj.pk for obj in objs) == sorted(
        Inflow.objects.filter(voucher_no__startswith="W-").values_list("pk", flat=True)
    )
    assert _writer_threads() == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: the writer's thread")
@pytest.mark.django_db
def test_a_held_job_waits_for_start_and_counts_as_in_flight():
    project = ProjectFactory(signed_on=dt.date(2025, 1, 1))
    objs = _inflows(project, 3)
    with transaction.atomic(), Writer(hold=True) as writer:
        writer.submit(insert_job(Inflow, objs), records=objs)
        assert writer.in_flight(Inflow) == objs and _writer_threads() == []
        assert not Inflow.objects.filter(voucher_no__startswith="W-").exists()  # not yet
        writer.start()
        writer.wait()
        assert Inflow.objects.filter(voucher_no__startswith="W-").count() == 3
        more = _inflows(project, 2, prefix="H")
        writer.submit(insert_job(Inflow, more), records=more)  # held: the end sends it
        assert writer.in_flight(Inflow) == [*objs, *more]  # the last two jobs'
    assert Inflow.objects.filter(voucher_no__startswith="H-").count() == 2
    assert _writer_threads() == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: the writer's thread")
@pytest.mark.django_db
def test_a_held_job_is_dropped_when_the_caller_fails():
    project = ProjectFactory(signed_on=dt.date(2025, 1, 1))
    objs = _inflows(project, 2)
    with pytest.raises(ValueError, match="the caller's"), Writer(hold=True) as writer:
        writer.submit(insert_job(Inflow, objs), records=objs)
        raise ValueError("the caller's")
    assert not Inflow.objects.filter(voucher_no__startswith="W-").exists()
    assert _writer_threads() == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: the writer's thread")
@pytest.mark.django_db
def test_a_writers_error_reaches_the_caller_as_djangos_and_the_thread_stops():
    then = []

    def job(cursor):
        cursor.execute("SELECT 1 / 0")

    with (
        pytest.raises(DataError, match="division by zero"),
        transaction.atomic(),
        Writer() as writer,
    ):
        writer.submit(job, then=lambda: then.append(1))
        Project.objects.count()  # may run before the job, or fail after it: either way
    assert then == [] and _writer_threads() == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: the writer's thread")
@pytest.mark.django_db
def test_a_callers_error_stops_the_thread_after_its_statement():
    then = []

    def job(cursor):
        cursor.execute("SELECT pg_sleep(0.3)")

    with pytest.raises(ValueError, match="the caller's"), Writer() as writer:
        writer.submit(job, then=lambda: then.append(1))
        raise ValueError("the caller's")
    assert then == [] and _writer_threads() == []


def _clean_gives_back(field, raw) -> bool:
    try:
        return field.clean(raw, None) == raw
    except ValidationError:
        return False


FIELDS = [
    Inflow._meta.get_field("amount"),
    Inflow._meta.get_field("voucher_no"),
    Inflow._meta.get_field("arrived_on"),
    Project._meta.get_field("contract_amount"),
    Project._meta.get_field("name"),
    Project._meta.get_field("investor_credit_code"),
]


@settings(
    max_examples=300,
    deadline=None,  # a property, not a timing: a busy machine must not fail it
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True),
        st.decimals(min_value=-1, max_value=10**13, places=3),
        st.text(max_size=80),
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
        st.none(),
        st.booleans(),
        st.integers(),
    ),
    st.sampled_from(FIELDS),
)
def test_the_fast_accept_only_takes_what_clean_gives_back(raw, field):
    """What the shared validation lets through without ``field.clean`` is exactly what
    ``field.clean`` would return unchanged, with no error (a refusal always goes through
    ``field.clean``, for its own messages)."""
    passes = dict(services._fields_to_check(field.model, [field.name], ()))[field]
    if passes(raw):
        assert _clean_gives_back(field, raw)
    if services._passes(field, raw):
        assert _clean_gives_back(field, raw)


def test_the_fast_accept_takes_the_usual_values():
    amount = Inflow._meta.get_field("amount")
    name = Project._meta.get_field("name")
    passes = dict(services._fields_to_check(Inflow, ["amount"], ()))[amount]
    assert passes(D("12.35")) and not passes(D("0.00")) and not passes(D("1.234"))
    assert not passes(D("1E+12")) and not passes(12.35)
    name_passes = dict(services._fields_to_check(Project, ["name"], ()))[name]
    assert name_passes("项目") and not name_passes("") and not name_passes("x" * 201)
