from django.urls import path

from targets import views

app_name = "targets"
urlpatterns = [
    path("progress/", views.dashboard, name="dashboard"),
    path("progress/ranking/", views.ranking_view, name="ranking"),
    path("progress/units/<int:pk>/", views.unit_dashboard, name="unit_dashboard"),
    path("quotas/", views.quota_grid_current, name="quotas_current"),
    path("<year:year>/quotas/", views.quota_grid, name="quotas"),
    path("<year:year>/quotas/copy/", views.quota_copy, name="quotas_copy"),
    path("scheme/", views.scheme_current, name="scheme_current"),
    path("<year:year>/scheme/", views.scheme_view, name="scheme"),
    path("<year:year>/scheme/copy/", views.scheme_copy, name="scheme_copy"),
    path("<year:year>/adjustments/", views.adjustments_view, name="adjustments"),
    path(
        "<year:year>/adjustments/<int:pk>/delete/",
        views.adjustment_delete,
        name="adjustment_delete",
    ),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/add/", views.IndicatorCreate.as_view(), name="indicator_add"),
    path("indicators/<int:pk>/edit/", views.IndicatorUpdate.as_view(), name="indicator_edit"),
]
