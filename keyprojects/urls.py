from django.urls import path

from keyprojects import views

app_name = "keyprojects"
urlpatterns = [
    path("", views.board, name="board"),
    path("designate/<int:project_pk>/", views.create, name="create"),
    path("<int:pk>/", views.key_project_detail, name="detail"),
    path("<int:pk>/edit/", views.update, name="update"),
    path("<int:pk>/phases/new/", views.phase_create, name="phase_create"),
    path("phases/<int:pk>/edit/", views.phase_update, name="phase_update"),
    path("<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("milestones/<int:pk>/edit/", views.milestone_update, name="milestone_update"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/follow-ups/new/", views.follow_up_create, name="follow_up_create"),
]
