from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    PREVIEWED = "previewed", _("已预览，待确认")
    REFUSED = "refused", _("有错误，未导入")
    IMPORTED = "imported", _("已导入")


class ImportBatch(models.Model):
    """An uploaded workbook between its preview and its confirmation. Belongs to the user
    who uploaded it: nobody else can see or confirm it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    original_name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.PREVIEWED
    )
    summary = models.JSONField(_("预览结果"), default=dict)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BatchStatus.values), name="workbook_batch_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
