"""``__among`` (common/lookups.py) finds what ``__in`` finds, with one array parameter on
PostgreSQL; ``common.bulk.keyed_reads`` steers PostgreSQL's planner to the indexes for one
block of a transaction and gives the settings back. These run on SQLite and, with
DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.bulk import checked_per_statement, keyed_reads
from common.lookups import array_literal
from projects.models import Inflow, Project
from tests.factories import InflowFactory, ProjectFactory

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def projects():
    return [ProjectFactory(code="A-%03d" % n) for n in range(5)]


def _ids(queryset) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "codes",
    [
        ["A-001", "A-003", "nope"],
        {"A-000", "A-004"},  # any iterable
        ["A-002", None],  # None matches nothing, as with __in
        ["nope"],
    ],
)
def test_among_finds_what_in_finds_on_a_text_field(projects, codes):
    among = Project.objects.filter(code__among=codes)
    assert _ids(among) == _ids(Project.objects.filter(code__in=codes))


@pytest.mark.django_db
def test_among_on_a_relation_and_combined(projects):
    inflows = [InflowFactory(project=p, voucher_no="V-%d" % n) for n, p in enumerate(projects)]
    ids = [projects[0].pk, projects[2].pk, projects[3].pk]
    vouchers = ["V-0", "V-3", "V-4"]
    among = Inflow.objects.filter(project_id__among=ids, voucher_no__among=vouchers)
    expected = Inflow.objects.filter(project_id__in=ids, voucher_no__in=vouchers)
    assert _ids(among) == _ids(expected) == sorted([inflows[0].pk, inflows[3].pk])
    # Excluding works as with __in.
    assert _ids(Inflow.objects.exclude(voucher_no__among=vouchers)) == sorted(
        [inflows[1].pk, inflows[2].pk]
    )


@pytest.mark.django_db
def test_an_empty_list_matches_nothing_without_a_query(projects):
    with CaptureQueriesContext(connection) as queries:
        assert list(Project.objects.filter(code__among=[])) == []
        assert list(Project.objects.filter(code__among=[None])) == []
    assert len(queries) == 0


@pytest.mark.django_db
def test_among_sends_one_parameter_on_postgresql_and_a_list_elsewhere(projects):
    codes = ["A-%03d" % n for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        assert len(list(Project.objects.filter(code__among=codes))) == 5
    sql = queries[0]["sql"]
    if ON_POSTGRES:
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert '"code" IN (' in sql and sql.count("'A-0") == 5


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('jit')")
        return cursor.fetchone()


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's planner settings")
def test_keyed_reads_turns_scans_and_jit_off_inside_and_gives_them_back():
    before = _settings()
    with keyed_reads():
        assert _settings() == ("off", "off")
    assert _settings() == before
    with pytest.raises(RuntimeError), transaction.atomic(), keyed_reads():
        raise RuntimeError("a failed import: the atomic block's rollback undoes them")
    assert _settings() == before


@pytest.mark.django_db  # the test's transaction: both blocks below are savepoints
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's planner settings")
def test_a_block_rolled_back_takes_the_settings_with_it():
    """A dry run or a failed import marks its atomic block for rollback: no query may run
    then, and none is needed: the rollback to the savepoint undoes the SET LOCAL."""
    before = _settings()
    with transaction.atomic():
        with transaction.atomic(), keyed_reads():
            assert _settings() == ("off", "off")
            transaction.set_rollback(True)
        assert _settings() == before


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's planner settings")
def test_inside_keyed_reads_a_long_key_list_uses_the_index(projects):
    """The case it is for: with no statistics (or stale ones) PostgreSQL may scan the whole
    table for a long key list; inside keyed_reads the index is used whatever it knows."""
    codes = ["A-%03d" % n for n in range(2000)]
    query = Project.objects.filter(code__among=codes).values_list("pk")
    with keyed_reads():
        plan = query.explain()
    assert "Seq Scan" not in plan and "Index" in plan


@pytest.mark.django_db
def test_keyed_reads_does_nothing_on_sqlite():
    if ON_POSTGRES:
        pytest.skip("SQLite's side")
    with CaptureQueriesContext(connection) as queries, keyed_reads():
        pass
    assert len(queries) == 0


# --- foreign keys checked per statement ----------------------------------------------------


def _orphan_inflow_sql() -> str:
    return (
        "INSERT INTO projects_inflow (project_id, voucher_no, original_name, arrived_on, "
        "amount, evidence, status, return_reason, void_reason, amount_flagged, "
        "amount_flag_reason, legacy_voucher_duplicate, created_at) VALUES (987654321, 'FK-1', "
        "'', '2025-01-01', 1, '', 'pending', '', '', false, '', false, now())"
    )


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's deferred constraints")
def test_inside_checked_per_statement_a_dangling_key_fails_at_its_statement():
    """Outside, PostgreSQL would accept the statement and refuse only at commit."""
    with transaction.atomic():  # a savepoint: the deferred check never runs
        with connection.cursor() as cursor:
            cursor.execute(_orphan_inflow_sql())
        transaction.set_rollback(True)
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        checked_per_statement(),
        connection.cursor() as cursor,
    ):
        cursor.execute(_orphan_inflow_sql())


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's deferred constraints")
def test_checked_per_statement_defers_again_on_leaving_as_every_constraint_was():
    """Leaving sets every constraint deferred again, which is how they all start: the
    portal has no deferrable constraint that starts immediate."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE condeferrable AND NOT condeferred")
        assert cursor.fetchall() == []
    with transaction.atomic():
        with transaction.atomic(), checked_per_statement():
            pass
        with connection.cursor() as cursor:  # deferred again: accepted until the commit
            cursor.execute(_orphan_inflow_sql())
        transaction.set_rollback(True)


def test_checked_per_statement_does_nothing_on_sqlite(db):
    if ON_POSTGRES:
        pytest.skip("SQLite's side")
    with CaptureQueriesContext(connection) as queries, checked_per_statement():
        pass
    assert len(queries) == 0


TEXTS = st.lists(
    st.one_of(
        st.none(),
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12),
    ),
    max_size=8,
)


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's array literals")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=TEXTS)
def test_an_array_literal_reads_back_as_the_values(values):
    literal = array_literal(values)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [literal])
        assert cursor.fetchone()[0] == values
