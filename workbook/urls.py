from django.urls import path

from workbook import views

app_name = "workbook"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/errors/", views.errors_download, name="errors"),
    path("templates/<slug:key>/", views.template_download, name="template"),
]
