from django.urls import path

from followup import views

app_name = "followup"
urlpatterns = [
    path("", views.SupervisionListView.as_view(), name="list"),
    path("new/", views.SupervisionCreate.as_view(), name="create"),
    path("<int:pk>/", views.supervision_detail, name="detail"),
    path("<int:pk>/reply/", views.supervision_reply, name="reply"),
    path("<int:pk>/close/", views.supervision_close, name="close"),
    path("<int:pk>/return/", views.supervision_return, name="return"),
    path("replies/<int:pk>/attachment/", views.reply_attachment, name="reply_attachment"),
]
