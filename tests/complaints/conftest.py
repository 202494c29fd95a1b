from tests.complaints.fixtures import (  # noqa: F401 (fixtures)
    calendar_day,
    complaint_a,
    complaint_closed_a,
    complaint_received,
    complaint_replied_a,
    complaint_reply_a,
)
