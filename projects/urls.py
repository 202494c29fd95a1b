from django.urls import path

from projects import home_province, views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_update, name="update"),
    path("<int:pk>/duplicate/withdraw/", views.duplicate_withdraw, name="duplicate_withdraw"),
    path("<int:pk>/duplicate/keep/", views.duplicate_keep, name="duplicate_keep"),
    path("<int:project_pk>/inflows/new/", views.inflow_create, name="inflow_create"),
    path("inflows/", views.InflowListView.as_view(), name="inflow_list"),
    path("inflows/verification/", views.VerificationQueueView.as_view(), name="verification"),
    path("inflows/verification/bulk/", views.inflow_bulk_verify, name="inflow_bulk_verify"),
    path("inflows/<int:pk>/", views.inflow_detail, name="inflow_detail"),
    path("inflows/<int:pk>/edit/", views.inflow_update, name="inflow_update"),
    path("inflows/<int:pk>/delete/", views.inflow_delete, name="inflow_delete"),
    path("inflows/<int:pk>/verify/", views.inflow_verify, name="inflow_verify"),
    path("inflows/<int:pk>/return/", views.inflow_return, name="inflow_return"),
    path("inflows/<int:pk>/correct/", views.inflow_correct, name="inflow_correct"),
    path("inflows/<int:pk>/void/", views.inflow_void, name="inflow_void"),
    path("inflows/<int:pk>/evidence/", views.inflow_evidence, name="inflow_evidence"),
    path("events/", views.PromotionEventListView.as_view(), name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/edit/", views.event_update, name="event_update"),
    path("home-province/<year:year>/", home_province.home_province_edit, name="home_province"),
]
