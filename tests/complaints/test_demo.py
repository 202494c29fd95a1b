"""The complaints demo: every state, one overdue, one reopened, and the 2026 calendar."""

import pytest

from common.models import CalendarDay
from complaints.demo import load_demo_complaints
from complaints.models import Complaint, State
from tests.factories import ClerkFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_complaint_in_every_state(commerce, clerk):
    users = {"commerce": commerce, "clerk": clerk, "clerk2": ClerkFactory(unit=UnitFactory())}
    summary = load_demo_complaints(users=users)
    assert summary == {"calendar_days": 39, "complaints": 8}
    assert set(Complaint.objects.values_list("state", flat=True)) == set(State.values)
    assert Complaint.objects.overdue().exists()
    reopened = Complaint.objects.get(reopen_count=1)
    assert reopened.state == State.ASSIGNED and reopened.last_satisfied is False
    late = [c for c in Complaint.objects.filter(state=State.VISITED) if not c.closed_on_time]
    assert len(late) == 1
    assert CalendarDay.objects.count() == 39
    # Loaded once: a second call adds nothing.
    assert load_demo_complaints(users=users)["complaints"] == 0
    assert Complaint.objects.count() == 8
