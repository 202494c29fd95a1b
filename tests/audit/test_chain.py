"""The audit log's chain: each row follows from the one before, and a change is found."""

import pytest

from audit.chain import GENESIS, first_break
from audit.events import record
from audit.models import AuditEvent


@pytest.mark.django_db
def test_events_chain_onto_each_other(commerce):
    first = record("login", user=commerce, target="commerce")
    second = record("export", user=None, target="progress.xlsx")
    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.hash
    assert second.actor.startswith("命令行")
    assert first_break(AuditEvent.objects.order_by("id")) is None


@pytest.mark.django_db
def test_a_changed_row_is_the_first_break(commerce):
    record("login", user=commerce)
    changed = record("export", user=commerce, target="a.xlsx")
    record("logout", user=commerce)
    AuditEvent.objects.filter(pk=changed.pk).update(target="b.xlsx")
    assert first_break(AuditEvent.objects.order_by("id")) == changed


@pytest.mark.django_db
def test_a_deleted_row_breaks_the_chain_at_its_successor(commerce):
    record("login", user=commerce)
    gone = record("export", user=commerce)
    after = record("logout", user=commerce)
    gone.delete()
    assert first_break(AuditEvent.objects.order_by("id")) == after
