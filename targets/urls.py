from django.urls import include, path

from targets import views

app_name = "targets"
urlpatterns = [
    path("progress/", views.dashboard, name="dashboard"),
    path("progress/ranking/", views.ranking_view, name="ranking"),
    path("progress/units/<int:pk>/", views.unit_dashboard, name="unit_dashboard"),
    path("quotas/", views.quota_grid_current, name="quotas_current"),
    path("<year:year>/quotas/", views.quota_grid, name="quotas"),
    path("<year:year>/quotas/copy/", views.quota_copy, name="quotas_copy"),
    path("reported/", include("targets.reported_urls")),
]
