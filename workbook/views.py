import logging
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.permissions import permission_required
from common.xlsx import xlsx_response
from common.xlsx_reader import WorkbookError, check_file
from workbook.forms import UploadForm
from workbook.importer import SHEETS_BY_ROLE, Importer, ImportResult
from workbook.models import BatchStatus, ImportBatch
from workbook.reports import TEMPLATE_KEYS, error_report, template
from workbook.sheets import SHEET_ORDER

# The preview lists this many of the rows an import creates or changes, then "还有 N 行".
PREVIEW_ROWS = 200

logger = logging.getLogger(__name__)


def _summary(result: ImportResult) -> dict:
    changes = list(getattr(result, "changes", None) or [])
    return {
        "ok": result.ok,
        "counts": {
            name: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for name, c in result.counts.items()
        },
        "errors": [
            {"sheet": e.sheet, "cell": e.cell, "message": e.message, "text": str(e)}
            for e in result.errors
        ],
        "warnings": [str(w) for w in result.warnings],
        "changes": [
            {"sheet": c.sheet, "row": c.row, "action": c.action, "label": c.label}
            for c in changes[:PREVIEW_ROWS]
        ],
        "changes_total": max(getattr(result, "changes_total", 0), len(changes)),
        # The messages are written in the uploader's language (the request's); the preview
        # says so when it is read in the other one.
        "language": translation.get_language(),
    }


def _refused(message: str) -> dict:
    """The summary of a file refused as a whole: one error, no counts."""
    return {
        "ok": False,
        "counts": {},
        "errors": [{"sheet": "", "cell": "", "message": message, "text": message}],
        "warnings": [],
        "changes": [],
        "changes_total": 0,
    }


def _language_name(written: str | None, reading: str) -> str:
    """The name of the language a batch's messages were written in, when it is not the one
    the page is read in ("" otherwise, and for batches stored before it was kept)."""
    if not written or written == reading:
        return ""
    return str(translation.get_language_info(written)["name_local"])


def _download(content: bytes, filename: str) -> HttpResponse:
    return xlsx_response(filename, content, ascii_name="workbook.xlsx")


def _own_batch(request, pk: int) -> ImportBatch:
    """Only the uploader sees a batch; anyone else gets 404."""
    return get_object_or_404(ImportBatch, pk=pk, user=request.user)


@permission_required("workbook.import_workbook")
def upload(request: HttpRequest) -> HttpResponse:
    """Upload → a dry run that writes nothing → the preview page.

    The file is checked (common/xlsx_reader.py: size once unpacked, DTD, a real .xlsx) before it
    is stored: a refused file leaves a refused batch with its one message and no file on disk.
    Whatever else goes wrong while reading removes the stored file and answers on the form,
    never with a server error.
    """
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        batch = ImportBatch(user=request.user, original_name=Path(upload_file.name).name[:200])
        try:
            check_file(upload_file.file)
        except WorkbookError as exc:
            batch.summary = _refused(str(exc))
            batch.status = BatchStatus.REFUSED
            batch.save()
            return redirect("workbook:preview", pk=batch.pk)
        batch.file.save(f"{timezone.now():%Y%m%d%H%M%S}.xlsx", upload_file, save=False)
        try:
            result = Importer(user=request.user, source_name=batch.original_name, dry_run=True).run(
                Path(batch.file.path)
            )
        except Exception:
            logger.exception("workbook upload %s could not be read", batch.original_name)
            batch.file.delete(save=False)
            form.add_error(
                "file",
                _("文件无法读取，未导入任何数据。请在 Excel 中打开后另存为 .xlsx 再上传。"),
            )
        else:
            batch.summary = _summary(result)
            batch.status = BatchStatus.PREVIEWED if result.ok else BatchStatus.REFUSED
            batch.save()
            return redirect("workbook:preview", pk=batch.pk)
    allowed = SHEETS_BY_ROLE.get(request.user.role, set())
    return render(
        request,
        "workbook/upload.html",
        {
            "form": form,
            "allowed": [name for name in SHEET_ORDER if name in allowed],
            "templates": [(key, name) for key, name in TEMPLATE_KEYS.items() if name in allowed],
            "batches": ImportBatch.objects.filter(user=request.user)[:10],
        },
    )


@permission_required("workbook.import_workbook")
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the import will do: counts per sheet, the rows it creates and changes (the
    first PREVIEW_ROWS, then how many more), every error and every warning."""
    batch = _own_batch(request, pk)
    summary = batch.summary
    counts = [(name, summary.get("counts", {}).get(name)) for name in SHEET_ORDER]
    changes = summary.get("changes", [])
    return render(
        request,
        "workbook/preview.html",
        {
            "batch": batch,
            "counts": [(name, c) for name, c in counts if c is not None],
            "changes": changes,
            "changes_more": max(summary.get("changes_total", 0) - len(changes), 0),
            "errors": summary.get("errors", []),
            "warnings": summary.get("warnings", []),
            "written_in": _language_name(summary.get("language"), translation.get_language()),
        },
    )


@require_POST
@permission_required("workbook.import_workbook")
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """All or nothing: the import runs again for real; if anything is now wrong (someone
    changed the data since the preview), nothing is written and the new errors are shown.
    The batch row is locked first, so two clicks at once import once."""
    with transaction.atomic():
        batch = get_object_or_404(ImportBatch.objects.select_for_update(), pk=pk, user=request.user)
        if batch.status == BatchStatus.IMPORTED:
            messages.info(request, _("这个文件已经导入过了，没有重复导入。"))
            return redirect("workbook:preview", pk=batch.pk)
        if batch.status == BatchStatus.REFUSED:
            messages.error(request, _("这个文件有错误，不能导入。请改正后重新上传。"))
            return redirect("workbook:preview", pk=batch.pk)
        try:
            result = Importer(user=request.user, source_name=batch.original_name).run(
                Path(batch.file.path)
            )
        except Exception:
            # Something unforeseen (the stored file gone or damaged on disk): nothing was
            # written (the import is one transaction); say so, no server error.
            logger.exception("workbook batch %s could not be imported", batch.pk)
            batch.summary = _refused(_("导入时出错，未写入任何数据。请重新上传这个文件。"))
            batch.status = BatchStatus.REFUSED
            batch.save()
            messages.error(request, _("确认时发现错误，未写入任何数据。"))
            return redirect("workbook:preview", pk=batch.pk)
        batch.summary = _summary(result)
        if result.ok:
            batch.status = BatchStatus.IMPORTED
            batch.imported_at = timezone.now()
            messages.success(request, _("导入完成。"))
        else:
            batch.status = BatchStatus.REFUSED
            messages.error(request, _("确认时发现错误，未写入任何数据。"))
        batch.save()
    return redirect("workbook:preview", pk=batch.pk)


@permission_required("workbook.import_workbook")
def errors_download(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    errors = batch.summary.get("errors", [])
    if not errors:
        raise Http404
    try:
        content = error_report(Path(batch.file.path), errors)
    except WorkbookError as exc:
        messages.error(request, str(exc))
        return redirect("workbook:preview", pk=batch.pk)
    except Exception:  # the upload was not a readable workbook at all
        messages.error(
            request, _("上传的文件无法打开，无法生成标注错误的工作簿；错误已在页面列出。")
        )
        return redirect("workbook:preview", pk=batch.pk)
    stem = Path(batch.original_name).stem
    return _download(content, f"{stem}-错误标注.xlsx")


@permission_required("common.use_portal")
def template_download(request: HttpRequest, key: str) -> HttpResponse:
    sheet = TEMPLATE_KEYS.get(key)
    if sheet is None:
        raise Http404
    return _download(template(sheet), f"模板-{sheet}.xlsx")
