"""Security events that every view can cause, recorded in one place after the response:

- every download (a response sent as an attachment: each Excel or CSV export, each evidence
  scan), with the file name and, for a workbook the Excel writer produced, its row count;
- every refusal (403) of a signed-in user.

Placed after AuthenticationMiddleware, so the request knows its user.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from audit.events import current_request, record
from common.xlsx import counting_rows

_FILENAME_STAR = re.compile(r"filename\*=utf-8''([^;]+)", re.I)
_FILENAME = re.compile(r'filename="([^"]*)"')


def attachment_name(disposition: str) -> str | None:
    """The file name of an ``attachment`` Content-Disposition (the UTF-8 one if given)."""
    if not disposition.lower().startswith("attachment"):
        return None
    found = _FILENAME_STAR.search(disposition)
    if found:
        return unquote(found.group(1))
    found = _FILENAME.search(disposition)
    return found.group(1) if found else ""


class AuditTrailMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            with counting_rows() as rows:
                response = self.get_response(request)
        finally:
            current_request.reset(token)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        name = attachment_name(response.get("Content-Disposition", ""))
        if name is not None and 200 <= response.status_code < 300:
            detail = f"{rows.count} 行" if rows.count is not None else ""
            record(
                "export", request=request, target=name, detail=f"{request.path} {detail}".strip()
            )
        elif response.status_code == 403:
            record(
                "permission_denied",
                request=request,
                target=request.path[:200],
                detail=request.method,
                success=False,
            )
        return response
