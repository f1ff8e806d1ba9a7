from django.urls import path

from . import views

app_name = "editorial"

urlpatterns = [
    path("share/<str:token>/", views.shared_preview, name="shared-preview"),
    path("markdown-guide/", views.markdown_guide, name="markdown-guide"),
]
