from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="list"),
    path("new/", views.unit_create, name="create"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/edit/", views.unit_update, name="update"),
]
