"""File downloads: one way to name the file in ``Content-Disposition``.

Export names are Chinese (``项目台账-2026-11-30.xlsx``): Django's ``content_disposition_header``
writes them as RFC 5987 ``filename*=utf-8''…``; an ASCII ``filename="…"`` goes first for the
rare client that does not read ``filename*`` (RFC 6266 §4.3: a client that does, prefers it).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment_header(filename: str, ascii_name: str = "") -> str:
    """``Content-Disposition`` of a download named ``filename``; ``ascii_name`` is the
    fallback name sent beside a non-ASCII one."""
    header = content_disposition_header(True, filename)
    if ascii_name and "filename*=" in header:
        fallback = content_disposition_header(True, ascii_name)
        if "filename*=" not in fallback:  # a plain quoted ASCII name
            header = f"{fallback}; {header.removeprefix('attachment; ')}"
    return header


def download_response(
    content: bytes, filename: str, content_type: str, *, ascii_name: str = ""
) -> HttpResponse:
    """The bytes of a generated file as an attachment named ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename, ascii_name)
    return response
