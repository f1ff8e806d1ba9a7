from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from blog.markdownx_views import PreviewView, StaffImageUploadView

admin.site.site_header = "ALLFORCES 編集部"
admin.site.site_title = "ALLFORCES 管理画面"
admin.site.index_title = "編集デスク"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Replaces markdownx.urls: same paths, staff only, sanitized preview.
    path("markdownx/markdownify/", PreviewView.as_view(), name="markdownx_markdownify"),
    path("markdownx/upload/", StaffImageUploadView.as_view(), name="markdownx_upload"),
    path("editorial/", include("editorial.urls")),
    path("", include("blog.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
