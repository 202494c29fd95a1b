"""The audit log's chain: each row follows from the one before, and a change is found; the
table is append-only through the ORM and, on PostgreSQL, in the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.chain import GENESIS, first_break
from audit.events import record
from audit.models import AppendOnlyError, AuditEvent

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no trigger")


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_events_chain_onto_each_other(commerce):
    first = record("login", user=commerce, target="commerce")
    second = record("export", user=None, target="progress.xlsx")
    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.hash
    assert second.actor.startswith("命令行")
    assert first_break(AuditEvent.objects.order_by("id")) is None


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_remove_a_record(commerce):
    event = record("login", user=commerce)
    event.target = "someone else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(target="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).target == ""


@on_sqlite
@pytest.mark.django_db
def test_a_row_changed_behind_the_orm_is_the_first_break(commerce):
    record("login", user=commerce)
    changed = record("export", user=commerce, target="a.xlsx")
    record("logout", user=commerce)
    raw("UPDATE audit_auditevent SET target = 'b.xlsx' WHERE id = %s", [changed.pk])
    assert first_break(AuditEvent.objects.order_by("id")) == changed


@on_sqlite
@pytest.mark.django_db
def test_a_row_deleted_behind_the_orm_breaks_the_chain_at_its_successor(commerce):
    record("login", user=commerce)
    gone = record("export", user=commerce)
    after = record("logout", user=commerce)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [gone.pk])
    assert first_break(AuditEvent.objects.order_by("id")) == after


@on_postgresql
@pytest.mark.django_db
def test_postgresql_refuses_update_and_delete_in_raw_sql(commerce):
    event = record("export", user=commerce, target="a.xlsx")
    for sql in (
        "UPDATE audit_auditevent SET target = 'b.xlsx' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).target == "a.xlsx"
