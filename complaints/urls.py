from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="list"),
    path("new/", views.complaint_create, name="create"),
    path("statistics/", views.complaint_statistics, name="statistics"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/assign/", views.complaint_assign, name="assign"),
    path("<int:pk>/reply/", views.complaint_reply, name="reply"),
    path("<int:pk>/close/", views.complaint_close, name="close"),
    path("<int:pk>/follow-up/", views.complaint_follow_up, name="follow_up"),
    path("replies/<int:pk>/attachment/", views.reply_attachment, name="reply_attachment"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("calendar/load-2026/", views.calendar_load, name="calendar_load"),
]
