import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class AccountTable(tables.Table):
    username = tables.Column(
        verbose_name=_("用户名"),
        linkify=lambda record: reverse("accounts:detail", args=[record.pk]),
    )
    last_name = tables.Column(verbose_name=_("姓名或名称"))
    role = tables.Column(verbose_name=_("角色"))
    unit = tables.Column(verbose_name=_("所属单位"), accessor="unit__name")
    is_active = tables.BooleanColumn(verbose_name=_("启用"), yesno=(_("是"), _("否")))
    has_totp = tables.BooleanColumn(
        verbose_name=_("验证器"), yesno=(_("已绑定"), _("未绑定")), orderable=False
    )
    is_locked = tables.BooleanColumn(
        verbose_name=_("登录锁定"), yesno=(_("锁定中"), _("否")), orderable=False
    )
    last_login = tables.DateTimeColumn(verbose_name=_("上次登录"), format="Y-m-d H:i")

    class Meta:
        model = User
        fields = ("username", "last_name", "role", "unit", "is_active", "has_totp", "is_locked")
        sequence = (*fields, "last_login")
        order_by = ("username",)
        empty_text = _("没有符合条件的账号")
