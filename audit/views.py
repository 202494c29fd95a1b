"""The audit administrator's pages: search and export the log, and verify its chain.

Read-only: nothing here writes but the log itself (an export is recorded as an export event
by audit.middleware like every other download)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from audit.filters import AuditEventFilter
from audit.models import AuditCheckpoint, AuditEvent
from audit.tables import AuditEventTable
from audit.verify import verify_log
from common.listing import ObjectListView
from common.permissions import permission_required


class AuditEventListView(ObjectListView):
    permission_required = "audit.view_log"
    template_name = "audit/event_list.html"
    queryset = AuditEvent.objects.all()
    filterset_class = AuditEventFilter
    table_class = AuditEventTable
    title = gettext_lazy("安全审计日志")
    export_name = "audit-log"


@permission_required("audit.view_log")
def verify(request: HttpRequest) -> HttpResponse:
    """The chain walked now: intact (and how many records), or the first broken record."""
    verdict = verify_log()
    return render(
        request,
        "audit/verify.html",
        {
            "verdict": verdict,
            "checkpoint": AuditCheckpoint.objects.order_by("-id").first(),
        },
    )
