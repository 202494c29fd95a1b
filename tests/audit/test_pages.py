"""The audit administrator's pages: search, export, verify; nobody else reaches them, and
the auditor changes nothing anywhere."""

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.events import record
from audit.models import AuditEvent
from tests.common.test_english_pages import _han_outside_user_data
from tests.complaints.fixtures import (  # noqa: F401 (fixtures of POST_MATRIX rows)
    calendar_day,
    complaint_a,
    complaint_closed_a,
    complaint_received,
    complaint_replied_a,
    complaint_reply_a,
)
from tests.keyprojects.fixtures import key_milestone_a, key_phase_a, key_project_a  # noqa: F401
from tests.test_permissions import POST_MATRIX

LIST = reverse("audit:event_list")
VERIFY = reverse("audit:verify")


@pytest.fixture
def log(commerce, clerk):
    record("login", user=commerce, target="commerce")
    record("export", user=clerk, target="projects.xlsx", detail="/projects/ 12 rows")
    record("login_failed", target="mallory", success=False)
    return AuditEvent.objects.order_by("id")


def rows_of(response) -> str:
    html = response if isinstance(response, str) else response.content.decode()
    return html.split("<tbody")[-1]


def test_the_auditor_searches_the_log(auditor_client, log):
    page = rows_of(auditor_client.get(LIST))
    assert "projects.xlsx" in page and "mallory" in page
    page = rows_of(auditor_client.get(LIST, {"kind": "login_failed"}))
    assert "mallory" in page and "projects.xlsx" not in page
    page = rows_of(auditor_client.get(LIST, {"actor": "clerk"}))
    assert "projects.xlsx" in page and "mallory" not in page
    page = rows_of(auditor_client.get(LIST, {"q": "12 rows"}))
    assert "projects.xlsx" in page and "mallory" not in page
    today = timezone.localdate()
    page = rows_of(auditor_client.get(LIST, {"since": (today + dt.timedelta(days=1)).isoformat()}))
    assert "projects.xlsx" not in page
    page = rows_of(auditor_client.get(LIST, {"until": today.isoformat(), "success": "false"}))
    assert "mallory" in page and "projects.xlsx" not in page


def test_the_search_by_address(auditor_client, clerk, rf):
    request = rf.get("/", REMOTE_ADDR="192.168.7.9")
    record("logout", user=clerk, request=request, target="from the office")
    record("logout", user=clerk, target="from the command line")
    page = rows_of(auditor_client.get(LIST, {"ip": "192.168.7"}))
    assert "from the office" in page and "from the command line" not in page


def test_the_list_pages_and_its_query_count_does_not_grow(auditor_client, commerce, settings):
    settings.LIST_PAGE_SIZE = 10

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert auditor_client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        record("login", user=commerce)
    few = queries()
    for _ in range(40):
        record("login", user=commerce)
    assert queries() == few
    total = AuditEvent.objects.count()  # (the auditor's own login is one of them)
    second = auditor_client.get(LIST, {"page": 2}).content.decode()
    assert f"共 {total} 条" in second
    assert rows_of(second).count("<tr") == 10


def test_the_export_is_a_workbook_and_is_itself_recorded(auditor_client, auditor, log):
    response = auditor_client.get(LIST, {"export": "xlsx", "kind": "login_failed"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "mallory" in rows[1]
    [export] = AuditEvent.objects.filter(kind="export", user_id=auditor.pk)
    assert export.target.endswith(".xlsx") and "1 行" in export.detail


def test_the_verify_page_shows_the_chain_status(auditor_client, log):
    page = auditor_client.get(VERIFY).content.decode()
    assert f"哈希链完整：共 {AuditEvent.objects.count()} 条记录" in page
    changed = log[1]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("UPDATE audit_auditevent SET target = 'x' WHERE id = %s", [changed.pk])
            cursor.execute("SET LOCAL session_replication_role = origin")
    else:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET target = 'x' WHERE id = %s", [changed.pk])
    page = auditor_client.get(VERIFY).content.decode()
    assert "哈希链不完整" in page and f"编号 {changed.pk}" in page


def test_the_auditor_sees_the_audit_entry_in_the_navigation(auditor_client, client_as, log):
    assert f'href="{LIST}"' in auditor_client.get(LIST).content.decode()
    assert f'href="{LIST}"' not in client_as("commerce").get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", ["clerk", "other_clerk", "commerce", "finance", "leadership"])
def test_no_business_role_reads_the_log(client_as, role, log):
    for url in (LIST, VERIFY, LIST + "?export=xlsx"):
        assert client_as(role).get(url).status_code == 403


OWN_THINGS = {
    "login",
    "logout",
    "set_language",
    "password_change",
    "accounts:otp_enrol",
    "accounts:otp_verify",
    "accounts:otp_codes",
    "notifications:open",
    "notifications:read_all",
}


def test_the_auditor_changes_nothing_anywhere(auditor_client, auditor, request):
    """Every URL that accepts a POST refuses the auditor; the only rows written meanwhile are
    the audit log's own records of those refusals."""
    before = AuditEvent.objects.count()
    refused = 0
    for url_name, case in sorted(POST_MATRIX.items()):
        if url_name in OWN_THINGS:
            continue  # their own session, language, password, second factor and reminders
        args = [request.getfixturevalue(case.args).pk] if case.args else list(case.literal_args)
        response = auditor_client.post(reverse(url_name, args=args), {})
        assert response.status_code in (403, 404, 405), f"{url_name}: {response.status_code}"
        refused += 1
    assert refused > 30
    written = AuditEvent.objects.filter(id__gt=0).order_by("id")[before:]
    assert {event.kind for event in written} == {"permission_denied"}
    assert all(event.user_id == auditor.pk for event in written)


def test_the_auditor_has_no_admin_access(auditor_client):
    response = auditor_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@override_settings(LANGUAGE_CODE="en", DISTRICT_NAME="Sample District")
def test_the_pages_render_in_english(auditor_client, log):
    stored = set(AuditEvent.objects.values_list("actor", flat=True))  # 命令行 (…) is data
    auditor_client.cookies["django_language"] = "en"
    for url in (LIST, VERIFY):
        html = auditor_client.get(url, headers={"accept-language": "en"}).content.decode()
        assert "Security audit log" in html or "Audit log verification" in html
        assert not _han_outside_user_data(html, stored), url


def test_hostile_text_in_the_log_is_exported_as_text(auditor_client, commerce):
    """A login name tried or a file name is whatever someone typed: never a formula."""
    record("login_failed", target='=HYPERLINK("http://evil.example","x")', success=False)
    response = auditor_client.get(LIST, {"export": "xlsx", "kind": "login_failed"})
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    hostile = [cell for cell in cells if "HYPERLINK" in str(cell.value)]
    assert hostile and all(cell.data_type == "s" for cell in hostile)
