"""verify_audit_log proves the chain intact or names the first broken record; purge_audit_log
keeps the retention period and leaves the rest verifiable."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from audit import events
from audit.events import record
from audit.models import AuditCheckpoint, AuditEvent


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def tamper(sql: str, params=()) -> None:
    """Change the table as someone at the database would: on PostgreSQL that needs the
    trigger bypassed (session_replication_role, a superuser's power); SQLite has none."""
    if connection.vendor == "postgresql":
        raw("SET LOCAL session_replication_role = replica")
        raw(sql, params)
        raw("SET LOCAL session_replication_role = origin")
    else:
        raw(sql, params)


def verify(*args) -> str:
    out = StringIO()
    call_command("verify_audit_log", *args, stdout=out)
    return out.getvalue()


def at(day: dt.date, monkeypatch) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    monkeypatch.setattr(events.timezone, "now", lambda: moment)


@pytest.mark.django_db
def test_an_intact_log_verifies_with_its_count(commerce):
    for _ in range(7):
        record("login", user=commerce)
    assert "完整：共 7 条记录" in verify("--batch", "3")  # three batches


@pytest.mark.django_db
def test_an_empty_log_verifies():
    assert "完整：共 0 条记录" in verify()


@pytest.mark.django_db
def test_a_tampered_row_is_named_with_its_id_time_and_kind(commerce):
    record("login", user=commerce)
    changed = record("export", user=commerce, target="a.xlsx")
    record("logout", user=commerce)
    tamper("UPDATE audit_auditevent SET detail = 'nothing to see' WHERE id = %s", [changed.pk])
    with pytest.raises(CommandError) as caught:
        verify("--batch", "1")
    message = str(caught.value)
    local = timezone.localtime(changed.at).strftime("%Y-%m-%d %H:%M:%S")
    assert f"id={changed.pk}" in message and local in message and "export" in message


@pytest.mark.django_db
def test_a_deleted_row_is_found_at_its_successor(commerce):
    record("login", user=commerce)
    gone = record("export", user=commerce)
    after = record("logout", user=commerce)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [gone.pk])
    with pytest.raises(CommandError, match=f"id={after.pk}"):
        verify()


@pytest.mark.django_db
def test_removing_the_newest_rows_is_found_through_the_head(commerce):
    record("login", user=commerce)
    newest = record("logout", user=commerce)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [newest.pk])
    with pytest.raises(CommandError, match="链头"):
        verify()


@pytest.mark.django_db
def test_the_command_exits_non_zero_from_the_command_line(commerce, capsys):
    """The exit status itself (what a cron job or a monitor reads), run as from a shell (in
    this process: the test database is not visible to another one)."""
    from django.core.management import execute_from_command_line

    record("login", user=commerce)
    changed = record("logout", user=commerce)
    tamper("UPDATE audit_auditevent SET actor = 'x' WHERE id = %s", [changed.pk])
    with pytest.raises(SystemExit) as caught:
        execute_from_command_line(["manage.py", "verify_audit_log"])
    assert caught.value.code != 0
    assert f"id={changed.pk}" in capsys.readouterr().err


# --- purge ---------------------------------------------------------------------------------


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_audit_log", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_purge_keeps_the_retention_period_and_the_chain_verifiable(commerce, monkeypatch):
    today = timezone.localdate()
    for days_ago in (400, 300, 200, 10):
        at(today - dt.timedelta(days=days_ago), monkeypatch)
        record("login", user=commerce, target=f"{days_ago} days ago")
    monkeypatch.undo()
    kept_from = AuditEvent.objects.get(target="200 days ago")
    before = today - dt.timedelta(days=250)
    assert "已清理 2 条" in purge("--before", before.isoformat())
    targets = list(AuditEvent.objects.values_list("target", flat=True))
    assert targets[:2] == ["200 days ago", "10 days ago"]
    purge_event = AuditEvent.objects.get(kind="audit_purge")
    assert purge_event.actor.startswith("命令行") and "2 条" in purge_event.detail
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.first_kept_id <= kept_from.pk
    assert "完整：共 3 条记录" in verify()
    # The default date is the end of the retention period (180 days): one more goes.
    assert "已清理 1 条" in purge()
    assert "完整：共 3 条记录" in verify()  # 10 days ago + two purge events


@pytest.mark.django_db
def test_purge_refuses_a_date_inside_the_retention_period(commerce):
    record("login", user=commerce)
    too_late = timezone.localdate() - dt.timedelta(days=179)
    with pytest.raises(CommandError, match="保留期至少 180 天"):
        purge("--before", too_late.isoformat())
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_purge_refuses_a_retention_setting_below_180_days(settings, commerce):
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(CommandError, match="不能少于 180 天"):
        purge()


@pytest.mark.django_db
def test_purge_answers_a_bad_date_in_one_chinese_line():
    with pytest.raises(CommandError, match="格式不对"):
        purge("--before", "2026-13-01")


@pytest.mark.django_db
def test_a_changed_checkpoint_is_found(commerce, monkeypatch):
    at(timezone.localdate() - dt.timedelta(days=400), monkeypatch)
    record("login", user=commerce)
    record("login", user=commerce)
    monkeypatch.undo()
    record("logout", user=commerce)
    purge()
    # Someone deletes the oldest kept record and moves the checkpoint to hide it.
    first_kept = AuditEvent.objects.order_by("id").first()
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [first_kept.pk])
    raw(
        "UPDATE audit_auditcheckpoint SET previous_hash = %s, first_kept_id = %s",
        [first_kept.hash, first_kept.pk + 1],
    )
    with pytest.raises(CommandError, match="检查点"):
        verify()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.django_db
def test_on_postgresql_only_the_purge_may_delete(commerce, monkeypatch):
    at(timezone.localdate() - dt.timedelta(days=400), monkeypatch)
    old = record("login", user=commerce)
    monkeypatch.undo()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [old.pk])
    purge()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    # The purge's permission ended with it.
    survivor = AuditEvent.objects.order_by("id").first()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [survivor.pk])
