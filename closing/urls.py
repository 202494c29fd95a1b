from django.urls import path

from closing import views

app_name = "closing"
urlpatterns = [
    path("", views.months_current, name="months_current"),
    path("<year:year>/", views.months, name="months"),
    path("<year:year>/<int:month>/close/", views.close, name="close"),
    path("<year:year>/<int:month>/reopen/", views.reopen, name="reopen"),
    path("<year:year>/<int:month>/changes/", views.changes, name="changes"),
    path("<year:year>/<int:month>/city/", views.city, name="city"),
    path("<year:year>/<int:month>/bulletin/", views.bulletin, name="bulletin"),
    path("<year:year>/<int:month>/bulletin/issue/", views.bulletin_issue, name="bulletin_issue"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<int:pk>/file/", views.bulletin_file, name="bulletin_file"),
    path("bulletins/template/", views.template_upload, name="template_upload"),
]
