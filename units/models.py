from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.scoping import ScopedQuerySet

unit_code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,20}$", _("单位编码只能包含字母、数字、下划线和连字符，最长 20 位。")
)


class UnitKind(models.TextChoices):
    TOWNSHIP = "township", _("乡镇")
    SUBDISTRICT = "subdistrict", _("街道")
    PARK = "park", _("园区")
    DEPARTMENT = "department", _("区直单位")


class UnitCategory(models.TextChoices):
    CLASS_ONE = "class_one", _("一类单位")
    KEY_TOWNSHIP = "key_township", _("重点乡镇")
    # The empty value means "no category"; it is listed so that forms and filters can pick it.
    NONE = "", _("无")


class UnitQuerySet(ScopedQuerySet):
    unit_lookup = "pk"

    def active(self):
        return self.filter(is_active=True)


class Unit(models.Model):
    """A responsible unit (目标管理责任单位) that carries investment quotas."""

    code = models.CharField(
        _("单位编码"), max_length=20, unique=True, validators=[unit_code_validator]
    )
    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices)
    category = models.CharField(
        _("类别"), max_length=20, choices=UnitCategory.choices, blank=True, default=""
    )
    is_active = models.BooleanField(_("启用"), default=True)
    display_order = models.PositiveIntegerField(_("排序"), default=0)

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="units_unit_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=UnitCategory.values),
                name="units_unit_category_valid",
            ),
            models.CheckConstraint(condition=~models.Q(code=""), name="units_unit_code_not_empty"),
            models.CheckConstraint(condition=~models.Q(name=""), name="units_unit_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("units:detail", args=[self.pk])
