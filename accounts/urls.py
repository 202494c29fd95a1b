from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from accounts import views

# The second factor and the administrators' pages (namespace "accounts").
accounts_patterns = [
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("otp/recovery-codes/", views.otp_codes, name="otp_codes"),
    path("admin-home/", views.admin_home, name="admin_home"),
    path("manage/", views.AccountListView.as_view(), name="list"),
    path("manage/new/", views.AccountCreateView.as_view(), name="create"),
    path("manage/<int:pk>/", views.account_detail, name="detail"),
    path("manage/<int:pk>/edit/", views.AccountUpdateView.as_view(), name="update"),
    path("manage/<int:pk>/active/", views.account_set_active, name="set_active"),
    path("manage/<int:pk>/reset-password/", views.account_reset_password, name="reset_password"),
    path("manage/<int:pk>/unlock/", views.account_unlock, name="unlock"),
    path(
        "manage/<int:pk>/reset-second-factor/",
        views.account_reset_second_factor,
        name="reset_second_factor",
    ),
]

urlpatterns = [
    path("login/", login_not_required(views.PortalLoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PortalPasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("", include((accounts_patterns, "accounts"))),
]
