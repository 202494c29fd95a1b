from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from common import views as common_views
from portal import views as portal_views

admin.site.site_header = "招商引资目标管理系统 · 系统管理"
admin.site.site_title = "系统管理"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("units/", include("units.urls")),
    path("targets/", include("targets.urls")),
    path("targets/", include("reporting.urls")),
    path("projects/", include("projects.urls")),
    path("deposits/", include("deposits.urls")),
    path("rewards/", include("rewards.urls")),
    path("closing/", include("closing.urls")),
    path("keyprojects/", include("keyprojects.urls")),
    path("complaints/", include("complaints.urls")),
    path("audit/", include("audit.urls")),
    path("followup/", include("followup.urls")),
    path("inbox/", include("notifications.urls")),
    path("workbook/", include("workbook.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
