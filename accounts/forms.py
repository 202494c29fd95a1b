from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class PortalAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "用户名或密码不正确，请重新输入。注意区分大小写；连续输错多次，账号将被暂时锁定。"
        ),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }
