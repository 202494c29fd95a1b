"""Complaint pages: scoping, contact details, deadlines with holidays, overdue, filters,
statistics, the calendar page, attachments, homes and query counts."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from common.models import CalendarDay, DayKind
from complaints import services
from complaints.models import Complaint, Reply, State
from tests.complaints.fixtures import PDF_BYTES, receive
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
PHONE = "13900001111"
EMAIL = "lee@example.com"


def _assign(commerce, unit, on=dt.date(2026, 3, 3), **extra):
    complaint = receive(commerce, **extra)
    return services.complaint_assign(complaint=complaint, user=commerce, unit=unit, assigned_on=on)


def _export_texts(response) -> str:
    book = load_workbook(io.BytesIO(response.content))
    return "\n".join(
        str(cell.value) for row in book.active.iter_rows() for cell in row if cell.value
    )


# --- deadlines ---------------------------------------------------------------------------------


def test_the_deadline_skips_holidays_and_counts_make_up_days(commerce, unit_a, settings):
    settings.COMPLAINT_DEADLINE_WORKING_DAYS = 5
    from common.models import calendar_load_china_2026

    calendar_load_china_2026()
    # Assigned Friday 13 February 2026: 14th (调休上班), then 24–27 February.
    complaint = receive(commerce, received_on=dt.date(2026, 2, 13))
    complaint = services.complaint_assign(
        complaint=complaint, user=commerce, unit=unit_a, assigned_on=dt.date(2026, 2, 13)
    )
    assert complaint.deadline == dt.date(2026, 2, 27)
    assert complaint.events.last().deadline == dt.date(2026, 2, 27)


def test_the_deadline_follows_the_setting_and_the_listed_days(commerce, unit_a, settings):
    settings.COMPLAINT_DEADLINE_WORKING_DAYS = 3
    CalendarDay.objects.create(date=dt.date(2026, 3, 4), kind=DayKind.HOLIDAY, name="x")
    CalendarDay.objects.create(date=dt.date(2026, 3, 7), kind=DayKind.MAKEUP, name="y")
    # Tuesday 3 March: Wednesday off, Thursday 5 (1), Friday 6 (2), Saturday 7 worked (3).
    assert _assign(commerce, unit_a).deadline == dt.date(2026, 3, 7)


# --- scoping and contact details ---------------------------------------------------------------


def test_a_clerk_lists_only_their_units_complaints(client_as, commerce, unit_a, unit_b):
    mine = _assign(commerce, unit_a, subject="Mine to answer")
    _assign(commerce, unit_b, subject="Beta matter")
    receive(commerce, subject="Not yet assigned")
    html = client_as("clerk").get(reverse("complaints:list")).content.decode()
    assert mine.number in html and "Mine to answer" in html
    assert "Beta matter" not in html and "Not yet assigned" not in html
    export = _export_texts(client_as("clerk").get(reverse("complaints:list") + "?export=xlsx"))
    assert "Mine to answer" in export and "Beta matter" not in export
    commerce_html = client_as("commerce").get(reverse("complaints:list")).content.decode()
    assert all(s in commerce_html for s in ("Mine to answer", "Beta matter", "Not yet assigned"))


@pytest.mark.parametrize("role", ["clerk", "finance", "leadership"])
def test_only_the_bureau_sees_the_contact_details(role, client_as, complaint_a):
    for url in (
        reverse("complaints:list"),
        complaint_a.get_absolute_url(),
        reverse("complaints:reply", args=[complaint_a.pk]) if role == "clerk" else None,
    ):
        if url is None:
            continue
        html = client_as(role).get(url).content.decode()
        assert complaint_a.complainant in html or "reply" in url
        assert PHONE not in html and EMAIL not in html, url
    export = client_as(role).get(reverse("complaints:list") + "?export=xlsx")
    texts = _export_texts(export)
    assert complaint_a.number in texts
    assert PHONE not in texts and EMAIL not in texts


def test_the_bureau_sees_and_exports_the_contact_details(client_as, complaint_a):
    html = client_as("commerce").get(complaint_a.get_absolute_url()).content.decode()
    assert PHONE in html and EMAIL in html
    list_html = client_as("commerce").get(reverse("complaints:list")).content.decode()
    assert PHONE in list_html
    texts = _export_texts(client_as("commerce").get(reverse("complaints:list") + "?export=xlsx"))
    assert PHONE in texts and EMAIL in texts


def test_another_units_complaint_and_attachment_answer_404(client_as, complaint_reply_a):
    complaint = complaint_reply_a.complaint
    client = client_as("other_clerk")
    assert client.get(complaint.get_absolute_url()).status_code == 404
    url = reverse("complaints:reply_attachment", args=[complaint_reply_a.pk])
    assert client.get(url).status_code == 404


def test_a_clerk_cannot_reply_for_another_unit(client_as, complaint_a):
    response = client_as("other_clerk").post(
        reverse("complaints:reply", args=[complaint_a.pk]), {"text": "Not ours"}
    )
    assert response.status_code == 404
    assert not Reply.objects.exists()


# --- overdue, filters --------------------------------------------------------------------------


def test_overdue_complaints_are_red_and_filtered(client_as, commerce, unit_a):
    late = _assign(commerce, unit_a, subject="Late one")  # deadline 10 March 2026
    today = dt.date.today()
    fresh = receive(commerce, subject="Fresh one", received_on=today)
    services.complaint_assign(complaint=fresh, user=commerce, unit=unit_a, assigned_on=today)
    client = client_as("commerce")
    html = client.get(reverse("complaints:list")).content.decode()
    row = html[html.index(late.number) - 400 : html.index(late.number)]
    assert "table-danger" in row and 'data-overdue="1"' in row
    overdue = client.get(reverse("complaints:list") + "?overdue=true").content.decode()
    assert "Late one" in overdue and "Fresh one" not in overdue
    not_overdue = client.get(reverse("complaints:list") + "?overdue=false").content.decode()
    assert "Fresh one" in not_overdue and "Late one" not in not_overdue
    detail = client.get(late.get_absolute_url()).content.decode()
    assert "alert-danger" in detail


def test_filters_by_state_unit_and_month(client_as, commerce, unit_a, unit_b):
    _assign(commerce, unit_a, subject="March A")
    _assign(commerce, unit_b, subject="April B", received_on=dt.date(2026, 4, 1), on=None)
    receive(commerce, subject="March received")
    client = client_as("commerce")

    def shown(query):
        return client.get(reverse("complaints:list") + query).content.decode()

    assert "March received" in shown("?state=received") and "March A" not in shown(
        "?state=received"
    )
    assert "April B" in shown(f"?unit={unit_b.pk}") and "March A" not in shown(f"?unit={unit_b.pk}")
    page = shown("?month=2026-04")
    assert "April B" in page and "March A" not in page
    bad = shown("?month=April")
    assert "月份格式应为" in bad


# --- statistics ----------------------------------------------------------------------------------


def _closed(commerce, clerk, unit, closed_on, satisfied=None):
    complaint = _assign(commerce, unit)
    services.complaint_reply(complaint=complaint, user=clerk, text="x", replied_on=closed_on)
    complaint.refresh_from_db()
    complaint = services.complaint_close(
        complaint=complaint, user=commerce, note="ok", closed_on=closed_on
    )
    if satisfied is not None:
        services.complaint_follow_up(
            complaint=complaint,
            user=commerce,
            visited_on=closed_on,
            satisfied=satisfied,
            note="" if satisfied else "no",
        )
    return complaint


def test_the_statistics_count_per_unit_and_month(client_as, commerce, clerk, unit_a, unit_b):
    _closed(commerce, clerk, unit_a, dt.date(2026, 3, 9), satisfied=True)  # on time
    _closed(commerce, clerk, unit_a, dt.date(2026, 3, 20), satisfied=True)  # late
    _closed(commerce, clerk, unit_a, dt.date(2026, 3, 9), satisfied=False)  # reopened
    _closed(commerce, clerk, unit_a, dt.date(2026, 3, 10))  # on the deadline day
    _assign(commerce, unit_b)  # open, overdue
    receive(commerce)  # not assigned
    from complaints.selectors import complaint_stats

    stats = complaint_stats(commerce, 2026)
    a = next(r for r in stats["units"] if r.unit == unit_a)
    assert (a.received, a.closed, a.on_time, a.visited, a.satisfied) == (4, 3, 2, 3, 2)
    assert (a.open, a.overdue) == (1, 1)  # the reopened one: new deadline 16 March
    assert str(a.satisfaction_rate.quantize(__import__("decimal").Decimal("0.0001"))) == "0.6667"
    b = next(r for r in stats["units"] if r.unit == unit_b)
    assert (b.received, b.open, b.overdue) == (1, 1, 1)
    assert stats["units"][-1].unit is None and stats["units"][-1].received == 1
    assert stats["total"].received == 6
    march = stats["months"][2]
    assert march.received == 6 and stats["months"][3].received == 0
    html = client_as("commerce").get(reverse("complaints:statistics") + "?year=2026")
    assert "66.67%" in html.content.decode()
    export = client_as("finance").get(reverse("complaints:statistics") + "?year=2026&export=xlsx")
    book = load_workbook(io.BytesIO(export.content))
    assert [s.title for s in book.worksheets] == ["按单位", "按月份"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[-1][:4] == ("合计", 6, 3, 2)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["commerce", "clerk"])
def test_the_list_query_count_does_not_grow(role, client_as, commerce, unit_a):
    client = client_as(role)
    _assign(commerce, unit_a)
    few = _queries(client, reverse("complaints:list"))
    for _ in range(8):
        _assign(commerce, unit_a)
        _assign(commerce, UnitFactory())
        receive(commerce)
    assert _queries(client, reverse("complaints:list")) == few


def test_the_statistics_and_homes_query_counts_do_not_grow(client_as, commerce, clerk, unit_a):
    client = client_as("commerce")
    _assign(commerce, unit_a)
    urls = [reverse("complaints:statistics"), reverse("home")]
    few = [_queries(client, url) for url in urls]
    for _ in range(5):
        _closed(commerce, clerk, unit_a, dt.date(2026, 3, 9), satisfied=True)
        _assign(commerce, UnitFactory())
    assert [_queries(client, url) for url in urls] == few


def test_the_detail_query_count_does_not_grow(client_as, complaint_closed_a, commerce, clerk):
    client = client_as("commerce")
    url = complaint_closed_a.get_absolute_url()
    few = _queries(client, url)
    for _ in range(3):
        services.complaint_follow_up(
            complaint=Complaint.objects.get(pk=complaint_closed_a.pk),
            user=commerce,
            visited_on=dt.date.today(),
            satisfied=False,
            note="again",
        )
        services.complaint_reply(
            complaint=Complaint.objects.get(pk=complaint_closed_a.pk), user=clerk, text="y"
        )
        services.complaint_close(
            complaint=Complaint.objects.get(pk=complaint_closed_a.pk), user=commerce, note="z"
        )
    assert _queries(client, url) == few


# --- homes ------------------------------------------------------------------------------------


def test_the_homes_show_the_complaint_cards(client_as, commerce, unit_a, unit_b):
    _assign(commerce, unit_a)
    _assign(commerce, unit_b)
    receive(commerce)
    html = client_as("commerce").get(reverse("home")).content.decode()
    assert 'data-figure="complaints-to-assign">1<' in html
    assert 'data-figure="complaints-overdue" class="status-red">2<' in html
    clerk_html = client_as("clerk").get(reverse("home")).content.decode()
    assert 'data-figure="complaints-open">1<' in clerk_html
    assert 'data-figure="complaints-waiting">1<' in clerk_html


# --- pages that write --------------------------------------------------------------------------


def test_receiving_through_the_page(client_as, unit_a):
    response = client_as("commerce").post(
        reverse("complaints:create"),
        {
            "received_on": "2026-03-02",
            "channel": "visit",
            "complainant": "Ms Wong",
            "phone": "1",
            "enterprise": "Wong Ltd",
            "subject": "Permit",
            "content": "Slow permit.",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == complaint.get_absolute_url()
    assert complaint.state == State.RECEIVED and complaint.created_by.username == "commerce"


def test_a_bad_upload_is_refused_and_nothing_is_saved(client_as, complaint_a):
    fake = SimpleUploadedFile("reply.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client_as("clerk").post(
        reverse("complaints:reply", args=[complaint_a.pk]), {"text": "Done", "attachment": fake}
    )
    assert response.status_code == 200
    assert "文件内容不是有效的 PDF 或图片" in response.content.decode()
    complaint_a.refresh_from_db()
    assert complaint_a.state == State.ASSIGNED and not Reply.objects.exists()


def test_the_attachment_downloads_under_its_own_name(client_as, complaint_a):
    upload = SimpleUploadedFile("答复函.pdf", PDF_BYTES, content_type="application/pdf")
    response = client_as("clerk").post(
        reverse("complaints:reply", args=[complaint_a.pk]), {"text": "Done", "attachment": upload}
    )
    assert response.status_code == 302
    reply = Reply.objects.get()
    download = client_as("leadership").get(reverse("complaints:reply_attachment", args=[reply.pk]))
    assert download.status_code == 200
    assert "filename*=utf-8''%E7%AD%94%E5%A4%8D%E5%87%BD.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_a_transition_page_for_the_wrong_state_sends_back_with_the_reason(client_as, complaint_a):
    client = client_as("commerce")
    response = client.get(reverse("complaints:close", args=[complaint_a.pk]))
    assert response.status_code == 302 and response["Location"] == complaint_a.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "不能办结" in page


def test_an_unsatisfied_follow_up_through_the_page(client_as, complaint_closed_a):
    response = client_as("commerce").post(
        reverse("complaints:follow_up", args=[complaint_closed_a.pk]),
        {"visited_on": "2026-03-12", "satisfied": "0", "note": "Still broken"},
    )
    assert response.status_code == 302
    complaint_closed_a.refresh_from_db()
    assert complaint_closed_a.state == State.ASSIGNED
    assert complaint_closed_a.deadline == dt.date(2026, 3, 19)


# --- the calendar page -----------------------------------------------------------------------


def test_the_bureau_keeps_the_calendar(client_as):
    client = client_as("commerce")
    response = client.post(
        reverse("complaints:calendar"), {"date": "2026-12-31", "kind": "holiday", "name": "Eve"}
    )
    assert response.status_code == 302
    client.post(
        reverse("complaints:calendar"), {"date": "2026-12-31", "kind": "makeup", "name": "Eve"}
    )
    day = CalendarDay.objects.get()
    assert day.kind == DayKind.MAKEUP
    client.post(reverse("complaints:calendar_delete", args=[day.pk]))
    assert not CalendarDay.objects.exists()
    client.post(reverse("complaints:calendar_load"))
    assert CalendarDay.objects.filter(date__year=2026).count() == 33 + 6
    bad = client.post(reverse("complaints:calendar"), {"date": "", "kind": "x"})
    assert bad.status_code == 200 and "alert" not in bad.content.decode()[:0]
