from django.urls import path

from . import ical, views

app_name = "editorial"

urlpatterns = [
    path("share/<str:token>/", views.shared_preview, name="shared-preview"),
    path("calendar/<str:token>.ics", ical.feed, name="calendar-feed"),
    path("markdown-guide/", views.markdown_guide, name="markdown-guide"),
]
