"""The city's published figures and the 通报 (bulletins) of the monthly close.

The frozen figures themselves are targets.models.PeriodClose (targets' pages show them)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CityFigure(models.Model):
    """What the city published (市业务主管部门公布的数据) for the district's 1–N月 figure of an
    indicator, entered by the commerce bureau, with the explanation of any difference."""

    year = models.ForeignKey(
        "targets.AssessmentYear", verbose_name=_("年度"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    indicator = models.ForeignKey(
        "targets.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("市公布数"), max_digits=14, decimal_places=2)
    explanation = models.TextField(_("差异说明"), blank=True)
    entered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("市公布数据")
        verbose_name_plural = _("市公布数据")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "indicator"], name="closing_city_figure_once"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="closing_city_month"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="closing_city_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_id} 1–{self.month}月 {self.indicator_id}"


def template_upload_to(instance, filename: str) -> str:
    return f"closing/templates/{filename}"


def bulletin_upload_to(instance, filename: str) -> str:
    return f"closing/bulletins/{filename}"


class BulletinTemplate(models.Model):
    """A Word template (docxtpl) the bureau uploaded with its own letterhead; the newest one
    is used, the default in the repository when there is none."""

    file = models.FileField(_("模板文件"), upload_to=template_upload_to)
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通报模板")
        verbose_name_plural = _("通报模板")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name


class Bulletin(models.Model):
    """A 通报 as it was issued: the stored .docx, its 文号, who issued it and when."""

    year = models.ForeignKey(
        "targets.AssessmentYear", verbose_name=_("年度"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    closed = models.BooleanField(_("关账数据"), help_text=_("否：未关账，按实时数据生成"))
    file = models.FileField(_("文件"), upload_to=bulletin_upload_to)
    issued_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("生成人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_by_name = models.CharField(_("生成人"), max_length=150)
    issued_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="closing_bulletin_month"
            ),
        ]

    def __str__(self) -> str:
        return self.title
