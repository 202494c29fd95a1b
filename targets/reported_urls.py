"""/targets/reported/…: the reported figures (报送), in the targets namespace."""

from django.urls import path

from targets import reported_views as views

urlpatterns = [
    path("", views.ReportedListView.as_view(), name="reported_list"),
    path("new/", views.reported_create, name="reported_create"),
    path("verification/", views.ReportedQueueView.as_view(), name="reported_verification"),
    path("units/<int:pk>/", views.UnitReportedListView.as_view(), name="reported_unit_list"),
    path("<int:pk>/", views.reported_detail, name="reported_detail"),
    path("<int:pk>/edit/", views.reported_update, name="reported_update"),
    path("<int:pk>/delete/", views.reported_delete, name="reported_delete"),
    path("<int:pk>/verify/", views.reported_verify, name="reported_verify"),
    path("<int:pk>/return/", views.reported_return, name="reported_return"),
    path("<int:pk>/unverify/", views.reported_unverify, name="reported_unverify"),
    path("<int:pk>/evidence/", views.reported_evidence, name="reported_evidence"),
]
