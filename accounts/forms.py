from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from common.roles import ADMIN_ROLES, Role
from units.models import Unit


class PortalAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "用户名或密码不正确，请重新输入。注意区分大小写；连续输错多次，账号将被暂时锁定。"
        ),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's form, refusing the old password again (a one-time password must go)."""

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password1")
        if password and not self.has_error("new_password2") and self.user.check_password(password):
            self.add_error("new_password2", _("新密码不能与当前密码相同。"))
        return cleaned


username_validator = RegexValidator(
    r"^[A-Za-z0-9_.\-]{3,30}$",
    _("用户名为 3–30 位英文字母、数字或 _ . -，不含空格和汉字。"),
)


def _units():
    return Unit.objects.filter(is_active=True).order_by("display_order", "code")


class AccountFieldsForm(forms.Form):
    full_name = forms.CharField(label=_("姓名或名称"), max_length=150)
    # Business roles only: administrator accounts are set by the deployment (三权分立).
    role = forms.ChoiceField(
        label=_("角色"), choices=[(v, label) for v, label in Role.choices if v not in ADMIN_ROLES]
    )
    unit = forms.ModelChoiceField(
        label=_("所属单位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("仅单位填报员选择；其他角色留空。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()


class AccountCreateForm(AccountFieldsForm):
    username = forms.CharField(label=_("用户名"), max_length=30, validators=[username_validator])
    field_order = ["username", "full_name", "role", "unit"]


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        help_text=_("手机验证器上的 6 位数字，或一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )
