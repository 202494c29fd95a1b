from django.urls import path

from reporting import views

# Mounted under targets/ (config/urls.py): the pages keep their addresses beside the
# progress dashboards.
app_name = "reporting"
urlpatterns = [
    path("progress/park/", views.park_share, name="park"),
    path("progress/events/", views.event_results, name="events"),
    path("progress/pipeline/", views.pipeline, name="pipeline"),
    path("progress/forecast/", views.forecast_view, name="forecast"),
]
