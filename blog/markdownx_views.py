"""django-markdownx's endpoints, closed to anyone who is not logged-in staff.

Out of the box both are open to anonymous users and the preview renders unsanitized HTML;
here the preview goes through ``blog.rendering`` (see ``MARKDOWNX_MARKDOWNIFY_FUNCTION``).

Uploads: markdownx trusts the browser's content type and keeps the uploaded file name's
extension (``photo.html`` declared as ``image/gif`` is stored as ``<uuid>.html``, bytes
untouched). ``SafeImageForm`` decides from the bytes instead: Pillow must open and verify
the file as JPEG, PNG, GIF or WebP, the stored name is a fresh uuid4 with the extension of
the detected format, and raster images are re-encoded (which drops EXIF data such as GPS
positions). SVG is refused outright: it can carry scripts.
"""

import uuid
from io import BytesIO

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views import View
from markdownx.views import ImageUploadView
from PIL import Image, ImageOps, UnidentifiedImageError

from .images import ALT_PLACEHOLDER, sized_name
from .rendering import render_preview

MAX_PREVIEW_LENGTH = 300_000
# Pillow format name → stored extension. Nothing else is accepted.
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# Refuse decompression bombs well before Pillow's own warning threshold.
MAX_IMAGE_PIXELS = 40_000_000


class SafeImageForm(forms.Form):
    image = forms.FileField()

    def clean_image(self):
        upload = self.cleaned_data["image"]
        limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE
        if upload.size > limit:
            raise forms.ValidationError(
                "画像が大きすぎます（上限 %(limit)s MB）。", code="too_large", params={"limit": limit // (1024 * 1024)}
            )
        head = upload.read(512).lstrip()
        upload.seek(0)
        if upload.name.lower().endswith((".svg", ".svgz")) or head[:5].lower() in (b"<?xml", b"<svg "):
            raise forms.ValidationError("SVG画像はアップロードできません。PNGかJPEGに変換してください。", code="svg")
        try:
            with Image.open(upload) as probe:
                image_format = probe.format
                width, height = probe.size
                probe.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise forms.ValidationError("画像として読み込めないファイルです。", code="not_an_image") from None
        if image_format not in IMAGE_FORMATS:
            raise forms.ValidationError("JPEG・PNG・GIF・WebPの画像だけをアップロードできます。", code="format")
        if width * height > MAX_IMAGE_PIXELS:
            raise forms.ValidationError("画像の画素数が多すぎます。", code="too_many_pixels")
        upload.seek(0)
        self.image_format = image_format
        return upload

    def save(self) -> str:
        """Store the image under a new random name and return its URL."""
        upload = self.cleaned_data["image"]
        if self.image_format == "GIF":
            # Kept as uploaded so animations survive; it was verified as a GIF above and is
            # served as image/gif with nosniff.
            data = upload.read()
            with Image.open(BytesIO(data)) as probe:
                size = probe.size
        else:
            with Image.open(upload) as image:
                image = ImageOps.exif_transpose(image)
                image.thumbnail(settings.MARKDOWNX_IMAGE_MAX_SIZE["size"])
                if self.image_format == "JPEG" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                buffer = BytesIO()
                image.save(buffer, self.image_format, quality=settings.MARKDOWNX_IMAGE_MAX_SIZE.get("quality", 85))
                data = buffer.getvalue()
                size = image.size
        # The size travels in the name, so the page's <img> gets width and height (blog.images).
        stem = sized_name(uuid.uuid4().hex, *size, IMAGE_FORMATS[self.image_format])
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
