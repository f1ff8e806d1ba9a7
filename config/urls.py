import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from blog.api.views import api
from blog.markdownx_views import PreviewView, StaffImageUploadView

from . import login_throttle, views

admin.site.site_header = "ALLFORCES 編集部"
# The desk needs the width for long Japanese titles and the side-by-side Markdown preview.
admin.site.enable_nav_sidebar = False
admin.site.site_title = "ALLFORCES 管理画面"
admin.site.index_title = "編集デスク"
login_throttle.install(admin.site)

handler500 = "config.views.server_error"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    # Replaces markdownx.urls: same paths, staff only, sanitized preview.
    path("markdownx/markdownify/", PreviewView.as_view(), name="markdownx_markdownify"),
    path("markdownx/upload/", StaffImageUploadView.as_view(), name="markdownx_upload"),
    path("editorial/", include("editorial.urls")),
    path("api/v1/", api.urls),
    path("", include("blog.urls")),
]

urlpatterns += [
    # 404 unless settings.SERVE_MEDIA (debug, or DJANGO_SERVE_MEDIA=1 as in compose.yaml).
    re_path(r"^%s(?P<path>.+)$" % re.escape(settings.MEDIA_URL.lstrip("/")), views.media, name="media"),
]
