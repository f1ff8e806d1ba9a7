from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from blog.markdownx_views import PreviewView, StaffImageUploadView

from . import login_throttle

admin.site.site_header = "ALLFORCES 編集部"
admin.site.site_title = "ALLFORCES 管理画面"
admin.site.index_title = "編集デスク"
login_throttle.install(admin.site)

handler500 = "config.views.server_error"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    # Replaces markdownx.urls: same paths, staff only, sanitized preview.
    path("markdownx/markdownify/", PreviewView.as_view(), name="markdownx_markdownify"),
    path("markdownx/upload/", StaffImageUploadView.as_view(), name="markdownx_upload"),
    path("", include("blog.urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded images have random, never-reused names: a CDN or proxy in front may keep them.
    urlpatterns += [
        re_path(r"^%s(?P<path>.*)$" % settings.MEDIA_URL.lstrip("/"), serve, {"document_root": settings.MEDIA_ROOT}),
    ]
