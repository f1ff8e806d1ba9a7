"""django-markdownx's endpoints, closed to anyone who is not logged-in staff.

Out of the box both are open to anonymous users and the preview renders unsanitized HTML;
here the preview goes through ``blog.rendering`` (see ``MARKDOWNX_MARKDOWNIFY_FUNCTION``).
"""

from django.contrib.auth.mixins import UserPassesTestMixin
from django.http import HttpResponse, HttpResponseBadRequest
from django.views import View
from markdownx.views import ImageUploadView

from .rendering import render_preview

MAX_PREVIEW_LENGTH = 300_000


class StaffOnlyMixin(UserPassesTestMixin):
    raise_exception = True

    def test_func(self):
        user = self.request.user
        return user.is_authenticated and user.is_active and user.is_staff


class PreviewView(StaffOnlyMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        content = request.POST.get("content", "")
        if len(content) > MAX_PREVIEW_LENGTH:
            return HttpResponseBadRequest("本文が長すぎてプレビューできません。")
        return HttpResponse(render_preview(content), content_type="text/html; charset=utf-8")


class StaffImageUploadView(StaffOnlyMixin, ImageUploadView):
    http_method_names = ["post"]
