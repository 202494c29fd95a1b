"""The complaint's state machine: every allowed transition, every refused one, and who may."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints import services
from complaints.models import Complaint, Event, EventKind, State
from tests.complaints.fixtures import receive

pytestmark = pytest.mark.django_db

ACTIONS = {
    "assign": lambda c, users: services.complaint_assign(
        complaint=c,
        user=users["commerce"],
        unit=users["unit_clerk"].unit,
        assigned_on=c.received_on,
    ),
    "reply": lambda c, users: services.complaint_reply(
        complaint=c, user=users["clerk"], text="Done.", replied_on=dt.date(2026, 3, 5)
    ),
    "close": lambda c, users: services.complaint_close(
        complaint=c, user=users["commerce"], note="OK.", closed_on=dt.date(2026, 3, 6)
    ),
    "follow_up": lambda c, users: services.complaint_follow_up(
        complaint=c, user=users["commerce"], visited_on=dt.date(2026, 3, 9), satisfied=True
    ),
}
ALLOWED_FROM = {
    "assign": {State.RECEIVED},
    "reply": {State.ASSIGNED},
    "close": {State.REPLIED},
    "follow_up": {State.CLOSED},
}
RESULT = {
    "assign": State.ASSIGNED,
    "reply": State.REPLIED,
    "close": State.CLOSED,
    "follow_up": State.VISITED,
}
PATH = ["assign", "reply", "close", "follow_up"]


def complaint_in(state: str, users) -> Complaint:
    """A complaint brought to ``state`` along the ordinary path."""
    users = dict(users, unit_clerk=users["clerk"])
    complaint = receive(users["commerce"])
    for action in PATH:
        if complaint.state == state:
            break
        ACTIONS[action](complaint, users)
        complaint.refresh_from_db()
    assert complaint.state == state
    return complaint


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("action", PATH)
def test_every_action_from_every_state(action, state, users):
    users = dict(users, unit_clerk=users["clerk"])
    complaint = complaint_in(state, users)
    events = Event.objects.filter(complaint=complaint).count()
    if state in ALLOWED_FROM[action]:
        ACTIONS[action](complaint, users)
        complaint.refresh_from_db()
        assert complaint.state == RESULT[action]
        assert Event.objects.filter(complaint=complaint).count() == events + 1
    else:
        with pytest.raises(ValidationError) as refused:
            ACTIONS[action](complaint, users)
        assert "不能" in str(refused.value)
        complaint.refresh_from_db()
        assert complaint.state == state
        assert Event.objects.filter(complaint=complaint).count() == events


def test_the_transition_table_is_what_the_tests_check():
    assert {a: set(s) for a, (s, _p) in services.TRANSITIONS.items()} == ALLOWED_FROM


def test_an_unsatisfied_follow_up_reopens_to_the_same_unit_with_a_new_deadline(users, unit_a):
    complaint = complaint_in(State.CLOSED, users)
    old_deadline = complaint.deadline
    services.complaint_follow_up(
        complaint=complaint,
        user=users["commerce"],
        visited_on=dt.date(2026, 3, 20),
        satisfied=False,
        note="Still no water.",
    )
    complaint.refresh_from_db()
    assert complaint.state == State.ASSIGNED
    assert complaint.unit == unit_a
    assert complaint.closed_on is None
    assert complaint.last_satisfied is False
    assert complaint.reopen_count == 1
    assert complaint.assigned_on == dt.date(2026, 3, 20)
    assert complaint.deadline == dt.date(2026, 3, 27) != old_deadline
    assert complaint.events.last().kind == EventKind.REOPENED
    # The unit answers again, the bureau closes again, and a second 回访 may end it.
    services.complaint_reply(
        complaint=complaint, user=users["clerk"], text="Fixed now.", replied_on=dt.date(2026, 3, 23)
    )
    complaint.refresh_from_db()
    services.complaint_close(
        complaint=complaint, user=users["commerce"], note="OK", closed_on=dt.date(2026, 3, 24)
    )
    complaint.refresh_from_db()
    services.complaint_follow_up(
        complaint=complaint,
        user=users["commerce"],
        visited_on=dt.date(2026, 3, 25),
        satisfied=True,
    )
    complaint.refresh_from_db()
    assert complaint.state == State.VISITED and complaint.last_satisfied is True
    assert [e.kind for e in complaint.events.all()] == [
        "received",
        "assigned",
        "replied",
        "closed",
        "reopened",
        "replied",
        "closed",
        "satisfied",
    ]


def test_an_unsatisfied_follow_up_needs_the_complainants_words(users):
    complaint = complaint_in(State.CLOSED, users)
    with pytest.raises(ValidationError) as error:
        services.complaint_follow_up(
            complaint=complaint,
            user=users["commerce"],
            visited_on=dt.date(2026, 3, 20),
            satisfied=False,
        )
    assert "note" in error.value.message_dict
    complaint.refresh_from_db()
    assert complaint.state == State.CLOSED and not complaint.followups.exists()


# --- who may (the services ask the same rules as the pages) ----------------------------------

WHO = {
    # action: roles let in (the clerk is unit A's, the complaint is unit A's)
    "assign": {"commerce"},
    "reply": {"clerk"},
    "close": {"commerce"},
    "follow_up": {"commerce"},
}
STATE_FOR = {
    "assign": State.RECEIVED,
    "reply": State.ASSIGNED,
    "close": State.REPLIED,
    "follow_up": State.CLOSED,
}


@pytest.mark.parametrize("role", ["clerk", "other_clerk", "commerce", "finance", "leadership"])
@pytest.mark.parametrize("action", PATH)
def test_the_services_ask_the_policy(action, role, users):
    complaint = complaint_in(STATE_FOR[action], users)
    acting = dict(users, commerce=users[role], clerk=users[role], unit_clerk=users["clerk"])
    if role in WHO[action]:
        ACTIONS[action](complaint, acting)
        complaint.refresh_from_db()
        assert complaint.state == RESULT[action]
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](complaint, acting)


def test_the_command_line_may_act(users):
    complaint = receive(users["commerce"])
    services.complaint_assign(complaint=complaint, user=None, unit=users["clerk"].unit)
    complaint.refresh_from_db()
    assert complaint.state == State.ASSIGNED
    assert complaint.events.last().by is None


def test_only_the_bureau_receives(users):
    for role in ("clerk", "finance", "leadership"):
        with pytest.raises(PermissionDenied):
            receive(users[role])


def test_dates_out_of_order_are_refused_in_chinese(users):
    complaint = receive(users["commerce"])
    with pytest.raises(ValidationError) as error:
        services.complaint_assign(
            complaint=complaint,
            user=users["commerce"],
            unit=users["clerk"].unit,
            assigned_on=complaint.received_on - dt.timedelta(days=1),
        )
    assert "交办日期不能早于受理日期" in str(error.value)
    complaint.refresh_from_db()
    assert complaint.state == State.RECEIVED and complaint.unit is None


def test_the_database_refuses_an_assigned_complaint_without_a_unit(users):
    from django.db import IntegrityError, transaction

    complaint = receive(users["commerce"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(state=State.ASSIGNED)


def test_numbers_count_up_per_year(users):
    first = receive(users["commerce"])
    second = receive(users["commerce"])
    assert (first.number, second.number) == ("TS2026-001", "TS2026-002")


def test_the_reply_rule_asks_for_the_complaints_unit(users, complaint_a):
    import rules

    assert rules.has_perm("complaints.reply", users["clerk"], complaint_a)
    assert not rules.has_perm("complaints.reply", users["other_clerk"], complaint_a)
    assert not rules.has_perm("complaints.reply", users["commerce"], complaint_a)
