"""django-markdownx's endpoints, closed to anyone who is not logged-in staff.

Out of the box both are open to anonymous users and the preview renders unsanitized HTML;
here the preview goes through ``blog.rendering`` (see ``MARKDOWNX_MARKDOWNIFY_FUNCTION``).

Uploads: markdownx trusts the browser's content type and keeps the uploaded file name's
extension (``photo.html`` declared as ``image/gif`` is stored as ``<uuid>.html``, bytes
untouched). ``SafeImageForm`` stores what ``blog.uploads.clean_image`` made of the bytes instead
(checked and re-encoded), under a fresh uuid4 name with the extension of the detected format.
"""

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views import View
from markdownx.views import ImageUploadView

from .images import ALT_PLACEHOLDER, sized_name
from .rendering import render_preview
from .uploads import IMAGE_FORMATS, clean_image

MAX_PREVIEW_LENGTH = 300_000


class SafeImageForm(forms.Form):
    image = forms.FileField()

    def clean_image(self):
        upload = self.cleaned_data["image"]
        self.cleaned_image = clean_image(upload)
        return upload

    def save(self) -> str:
        """Store the re-encoded image under a new random name and return its URL."""
        data, image_format, width, height = self.cleaned_image
        # The size travels in the name, so the page's <img> gets width and height (blog.images).
        stem = sized_name(uuid.uuid4().hex, width, height, IMAGE_FORMATS[image_format])
        name = f"{settings.MARKDOWNX_MEDIA_PATH}{stem}"
        stored = default_storage.save(name, ContentFile(data))
        return default_storage.url(stored)


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
    form_class = SafeImageForm

    def form_invalid(self, form):
        return JsonResponse(form.errors, status=400, json_dumps_params={"ensure_ascii": False})

    def form_valid(self, form):
        # The editor selects the placeholder so the writer types the alt text over it; review
        # refuses an article while an image still lacks one (editorial.workflow).
        return JsonResponse({"image_code": f"![{ALT_PLACEHOLDER}]({form.save()})"})
