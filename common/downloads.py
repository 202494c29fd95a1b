"""File downloads: one way to name the file in ``Content-Disposition``.

Export names are Chinese (``项目台账-2026-11-30.xlsx``): Django's ``content_disposition_header``
writes them as RFC 5987 ``filename*=utf-8''…``; an ASCII ``filename="…"`` goes first for the
rare client that does not read ``filename*`` (RFC 6266 §4.3: a client that does, prefers it).
"""

from __future__ import annotations

from csp.constants import SELF
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

# What a stored scan is, by its first bytes (the upload validator checked the same magic
# numbers): only these are ever shown inside a page; anything else is an opaque download.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
OPAQUE = "application/octet-stream"


def attachment_header(filename: str, ascii_name: str = "", *, inline: bool = False) -> str:
    """``Content-Disposition`` of a download named ``filename``; ``ascii_name`` is the
    fallback name sent beside a non-ASCII one. ``inline``: shown in the browser, same names."""
    header = content_disposition_header(not inline, filename)
    kind = header.split(";", 1)[0]
    if ascii_name and "filename*=" in header:
        fallback = content_disposition_header(not inline, ascii_name)
        if "filename*=" not in fallback:  # a plain quoted ASCII name
            header = f"{fallback}; {header.removeprefix(kind + '; ')}"
    return header


def sniffed_type(head: bytes) -> str:
    """The content type of a stored scan by its magic number (never by its name)."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return OPAQUE


def stored_file_response(
    handle, filename: str, *, ascii_name: str = "", inline: bool = False
) -> FileResponse:
    """A stored upload (evidence, scans) under the name it was uploaded with.

    ``inline`` is the preview on the portal's own pages: a PDF or image is sent inline with its
    real type, and only this response may be framed, by the portal itself (X-Frame-Options
    SAMEORIGIN, CSP frame-ancestors 'self'); every other page keeps DENY / 'none'. Anything
    that is not a PDF or an image stays an attachment of an opaque type. nosniff is on for
    every response (SECURE_CONTENT_TYPE_NOSNIFF), so the browser trusts the type given here.
    """
    head = handle.read(8)
    handle.seek(0)
    content_type = sniffed_type(head)
    inline = inline and content_type != OPAQUE
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename, ascii_name, inline=inline)
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"  # XFrameOptionsMiddleware keeps a set one
        response._csp_replace = {"frame-ancestors": [SELF]}
    return response


def upload_response(field_file, filename: str = "", *, inline: bool = False) -> FileResponse:
    """An uploaded file of a record (a FileField), served through the portal under the name
    it was uploaded with (``filename``; the stored name when none was kept); 404 when the
    record has none or the file is gone."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    stored = field_file.name.rsplit("/", 1)[-1]
    return stored_file_response(handle, filename or stored, ascii_name=stored, inline=inline)


def download_response(
    content: bytes, filename: str, content_type: str, *, ascii_name: str = ""
) -> HttpResponse:
    """The bytes of a generated file as an attachment named ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename, ascii_name)
    return response
