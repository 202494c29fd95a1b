"""Validators shared by several apps."""

import datetime as dt
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

# Magic numbers of the evidence formats we accept: what the file *is*, not what it is called.
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _two_days_ago() -> dt.date:
    """Two days before today in UTC, by arithmetic (no time-zone look-up)."""
    return dt.date.fromordinal(EPOCH_ORDINAL + int(time.time() // 86400) - 2)


def validate_not_future(value) -> None:
    # A date two days back is past in every time zone: skip the costly local "today" (an
    # import validates a hundred thousand dates).
    if value is None or value < _two_days_ago():
        return
    if value > timezone.localdate():
        raise ValidationError(_("日期 %(date)s 晚于今天。") % {"date": value.isoformat()})


def validate_evidence_file(upload) -> None:
    """A scan of 验资报告 / 银行进账单 / 外汇登记: a PDF, JPEG or PNG within the size limit."""
    if not upload:
        return
    limit_mb = settings.EVIDENCE_MAX_MB
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("文件太大（%(size).1f MB），上限为 %(limit)d MB。")
            % {"size": upload.size / 1024 / 1024, "limit": limit_mb}
        )
    name = (upload.name or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in _SIGNATURES:
        raise ValidationError(_("凭证文件只能是 PDF、JPG 或 PNG。"))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in _SIGNATURES[extension]):
        raise ValidationError(_("文件内容不是有效的 PDF 或图片（扩展名与内容不符）。"))


def normalize_credit_code(value: str) -> str:
    """A 统一社会信用代码 without spaces or hyphens, upper case (as stdnum compacts it)."""
    return uscc.compact(value) if value else ""


def validate_credit_code(value: str) -> None:
    """A 统一社会信用代码 (GB 32100-2015) with a valid check digit, checked by python-stdnum."""
    if not value:
        return
    try:
        uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码“%(v)s”无效（应为 18 位，最后一位校验码需正确），请核对营业执照。")
            % {"v": value}
        ) from None
