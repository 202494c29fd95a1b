"""Complaints in each state, for the permission matrix, the English pages and the
complaints tests. Text is ASCII (the English-pages test reads any Han character as a label)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.models import CalendarDay, DayKind
from complaints import services

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RECEIVED_ON = dt.date(2026, 3, 2)


def receive(commerce, **extra):
    data = {
        "complainant": "Mr Lee",
        "phone": "13900001111",
        "contact": "lee@example.com",
        "enterprise": "Lee Trading Ltd",
        "subject": "Water supply cut",
        "content": "The water supply of the plant was cut twice.",
        "channel": "phone",
        "received_on": RECEIVED_ON,
    }
    data.update(extra)
    return services.complaint_receive(user=commerce, data=data)


@pytest.fixture
def complaint_received(commerce):
    return receive(commerce)


@pytest.fixture
def complaint_a(complaint_received, commerce, unit_a):
    """Assigned to unit A, waiting for its reply."""
    return services.complaint_assign(
        complaint=complaint_received,
        user=commerce,
        unit=unit_a,
        assigned_on=dt.date(2026, 3, 3),
    )


@pytest.fixture
def complaint_reply_a(complaint_a, clerk):
    """Unit A's reply, with a scan."""
    upload = SimpleUploadedFile("reply-letter.pdf", PDF_BYTES, content_type="application/pdf")
    return services.complaint_reply(
        complaint=complaint_a, user=clerk, text="Supply restored.", attachment=upload
    )


@pytest.fixture
def complaint_replied_a(complaint_reply_a):
    complaint = complaint_reply_a.complaint
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def complaint_closed_a(complaint_replied_a, commerce):
    return services.complaint_close(
        complaint=complaint_replied_a,
        user=commerce,
        note="Settled with the water company.",
        closed_on=dt.date(2026, 3, 9),
    )


@pytest.fixture
def calendar_day(db):
    return CalendarDay.objects.create(
        date=dt.date(2026, 10, 1), kind=DayKind.HOLIDAY, name="National Day"
    )


def hostile_complaints(commerce, units) -> list:
    """For tests/common/test_hostile_exports.py: complaints whose typed text would be a
    formula in a spreadsheet, one assigned to each unit."""
    made = []
    for n, unit in enumerate(units):
        complaint = receive(
            commerce,
            complainant="=cmd 投诉人",
            phone="+cmd 13800000000",
            contact="@cmd 地址",
            enterprise=f"-cmd 企业{n}",
            subject=unit.name,
        )
        made.append(
            services.complaint_assign(
                complaint=complaint, user=commerce, unit=unit, assigned_on=RECEIVED_ON
            )
        )
    return made
