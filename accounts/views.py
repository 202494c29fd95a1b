"""Login, password change, the second factor and the administrators' account pages.

Thin views: the rule first (403), then the object, then a service (accounts/services.py,
accounts/second_factor.py) that checks the rule again and records the audit event.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts import policy, second_factor, selectors, services
from accounts.filters import AccountFilter
from accounts.forms import (
    AccountCreateForm,
    AccountFieldsForm,
    PortalAuthenticationForm,
    PortalPasswordChangeForm,
    TokenForm,
)
from accounts.models import User
from accounts.tables import AccountTable
from common.editing import ServiceFormView
from common.forms import add_validation_error
from common.listing import StableQuerysetData
from common.paginator import BoundedCountPaginator
from common.permissions import PermissionRequiredMixin, permission_required

# The session key of a one-time password (or recovery codes) shown once, then removed.
SHOW_ONCE_KEY = "accounts_show_once"


class PortalLoginView(LoginView):
    template_name = "registration/login.html"
    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = False


class PortalPasswordChangeView(PasswordChangeView):
    template_name = "registration/password_change_form.html"
    form_class = PortalPasswordChangeForm

    def form_valid(self, form):
        user = form.save(commit=False)
        services.password_changed(user=user, request=self.request)
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


def _show_once(request: HttpRequest, value) -> None:
    request.session[SHOW_ONCE_KEY] = value


def _take_shown_once(request: HttpRequest):
    return request.session.pop(SHOW_ONCE_KEY, None)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


# --- the second factor -----------------------------------------------------------------


def second_factor_users(view):
    """The second-factor pages: for whom the policy asks a second factor (the rule
    accounts.use_second_factor, and superusers); 403 for anyone else."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not policy.needs_second_factor(request.user):
            raise PermissionDenied("accounts.use_second_factor")
        return view(request, *args, **kwargs)

    return wrapped


@second_factor_users
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code, type the first code: the authenticator is bound, recovery codes
    are issued (shown once on the next page) and this session is verified."""
    if services.has_second_factor(request.user) and not request.user.is_verified():
        # Re-binding needs the current factor first (or a reset by the security admin).
        return redirect(f"{reverse('accounts:otp_verify')}?{request.GET.urlencode()}")
    device = second_factor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.enrol_confirm(
                request=request, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            _show_once(request, {"codes": codes, "next": _next_url(request)})
            return redirect("accounts:otp_codes")
    context = {
        "form": form,
        "qr_code": second_factor.qr_code_data_uri(second_factor.provisioning_uri(device)),
        "secret": second_factor.secret_for_typing(device),
        "next": _next_url(request),
        "rebinding": services.has_second_factor(request.user),
    }
    return render(request, "accounts/otp_enrol.html", context)


@second_factor_users
def otp_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, once: reloading the page shows them no more."""
    shown = _take_shown_once(request)
    if not isinstance(shown, dict) or "codes" not in shown:
        return redirect("home")
    return render(request, "accounts/otp_codes.html", shown)


@second_factor_users
def otp_verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator or one recovery code."""
    if not services.has_second_factor(request.user):
        return redirect(f"{reverse('accounts:otp_enrol')}?{request.GET.urlencode()}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", _("验证码不正确或已使用，请重试。多次失败后需稍候再试。"))
    context = {
        "form": form,
        "next": _next_url(request),
        "codes_left": second_factor.recovery_codes_left(request.user),
    }
    return render(request, "accounts/otp_verify.html", context)


# --- the administrators' pages ---------------------------------------------------------


@permission_required("accounts.administer")
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/admin_home.html")


class AccountListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """The accounts, filtered by role, unit and state, with their lockout and second-factor
    state. Like common.listing's lists (stable order, bounded count) but with no export: a
    list of accounts is not a spreadsheet to pass around."""

    permission_required = "accounts.view_accounts"
    filterset_class = AccountFilter
    table_class = AccountTable
    template_name = "accounts/account_list.html"

    def get_queryset(self):
        return selectors.accounts_with_state()

    def get_table_pagination(self, table) -> dict:
        return {"per_page": settings.LIST_PAGE_SIZE, "paginator_class": BoundedCountPaginator}

    def get_table_data(self):
        return StableQuerysetData(super().get_table_data())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("账号管理")}


@permission_required("accounts.view_accounts")
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(selectors.accounts_with_state(), pk=pk)
    shown = _take_shown_once(request)
    password = shown.get("password") if isinstance(shown, dict) and shown.get("pk") == pk else None
    context = {
        "account": account,
        "one_time_password": password,
        "is_self": account.pk == request.user.pk,
    }
    return render(request, "accounts/account_detail.html", context)


class AccountCreateView(ServiceFormView):
    permission_required = "accounts.manage_accounts"
    form_class = AccountCreateForm
    template_name = "accounts/account_form.html"
    title = gettext_lazy("新建账号")

    def perform(self, form):
        self.object, password = services.account_create(
            actor=self.request.user, request=self.request, **form.cleaned_data
        )
        _show_once(self.request, {"pk": self.object.pk, "password": password})
        return _("已创建账号 %(name)s。请把一次性密码当面或以安全方式交给本人。") % {
            "name": self.object.username
        }

    def get_success_url(self) -> str:
        return reverse("accounts:detail", args=[self.object.pk])


class AccountUpdateView(ServiceFormView):
    permission_required = "accounts.manage_accounts"
    form_class = AccountFieldsForm
    template_name = "accounts/account_form.html"
    title = gettext_lazy("修改账号")

    def get_object(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_initial(self):
        account = self.object
        return {"full_name": account.last_name, "role": account.role, "unit": account.unit}

    def perform(self, form):
        if services.account_update(
            actor=self.request.user, user=self.object, request=self.request, **form.cleaned_data
        ):
            return _("已保存账号 %(name)s 的修改。") % {"name": self.object.username}
        return None

    def get_success_url(self) -> str:
        return reverse("accounts:detail", args=[self.object.pk])


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    """Run an account action (a service call) and come back to the account's page; a
    refusal by the service is shown as an error message."""
    account = get_object_or_404(User, pk=pk)
    try:
        message = action(account)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, message)
    return redirect("accounts:detail", pk=account.pk)


@require_POST
@permission_required("accounts.manage_accounts")
def account_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"

    def action(account):
        services.account_set_active(
            actor=request.user, user=account, active=active, request=request
        )
        return _("账号已启用。") if active else _("账号已停用，该账号不能再登录。")

    return _act(request, pk, action)


@require_POST
@permission_required("accounts.manage_accounts")
def account_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    def action(account):
        password = services.account_reset_password(
            actor=request.user, user=account, request=request
        )
        _show_once(request, {"pk": account.pk, "password": password})
        return _("已重置密码。请把一次性密码交给本人，登录后须立即修改。")

    return _act(request, pk, action)


@require_POST
@permission_required("accounts.manage_security")
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    def action(account):
        services.account_unlock(actor=request.user, user=account, request=request)
        return _("已解除该账号的登录锁定。")

    return _act(request, pk, action)


@require_POST
@permission_required("accounts.manage_security")
def account_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    def action(account):
        services.second_factor_reset(actor=request.user, user=account, request=request)
        return _("已重置第二因素：该账号下次登录时须重新绑定验证器。")

    return _act(request, pk, action)
