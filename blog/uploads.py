"""Validation and re-encoding of editor image uploads.

``clean_image`` decides from the bytes, never the name or declared type: Pillow must recognise
JPEG, PNG, GIF or WebP. The pixel count is read from the header and checked against
``UPLOAD_MAX_PIXELS`` before anything is decoded (a 150 KB PNG can declare 40 million pixels),
and the memory a decode would need is checked against ``UPLOAD_DECODE_MAX_BYTES``. Every image —
GIF included — is decoded and encoded afresh, so no uploaded byte stream is ever served as
uploaded: appended payloads (polyglots), EXIF data and other metadata are gone. Animated GIF and
WebP keep their frames while the frames' pixels together stay within the budget. SVG is refused:
it can carry scripts.
"""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

# Pillow format name → stored extension. Nothing else is accepted.
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "RGB": 4, "RGBA": 4, "CMYK": 4, "YCbCr": 4, "I;16": 2}
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


def clean_image(upload) -> tuple[bytes, str, int, int]:
    """Return ``(bytes, format, width, height)`` of the re-encoded upload, or raise ``ValidationError``.

    ``format`` is Pillow's name (``"PNG"``; ``IMAGE_FORMATS`` gives the extension); width and
    height are those of the stored image (after fitting into ``MARKDOWNX_IMAGE_MAX_SIZE``).
    """
    limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE
    if upload.size > limit:
        _refuse("画像が大きすぎます（上限 %d MB）。" % (limit // (1024 * 1024)), "too_large")
    upload.seek(0)
    head = upload.read(512).lstrip()
    upload.seek(0)
    if (upload.name or "").lower().endswith((".svg", ".svgz")) or head[:5].lower() in (b"<?xml", b"<svg "):
        _refuse("SVG画像はアップロードできません。PNGかJPEGに変換してください。", "svg")
    data = upload.read()
    try:
        # Image.open reads the header only; nothing is decoded until load().
        with Image.open(BytesIO(data)) as probe:
            image_format, (width, height), mode = probe.format, probe.size, probe.mode
    except Image.DecompressionBombError:
        _refuse("画像の画素数が多すぎます。", "too_many_pixels")
    except _UNREADABLE:
        _refuse("画像として読み込めないファイルです。", "not_an_image")
    if image_format not in IMAGE_FORMATS:
        _refuse("JPEG・PNG・GIF・WebPの画像だけをアップロードできます。", "format")
    budget = settings.UPLOAD_MAX_PIXELS
    if width * height > budget:
        _refuse(
            "画像の画素数が多すぎます（%d×%d、上限 %d 万画素）。" % (width, height, budget // 10_000), "too_many_pixels"
        )
    if width * height * _BYTES_PER_PIXEL.get(mode, 8) > settings.UPLOAD_DECODE_MAX_BYTES:
        _refuse("画像の画素数が多すぎます。", "too_many_pixels")
    try:
        return _reencode(data, image_format, budget)
    except ValidationError:
        raise
    except _UNREADABLE:
        _refuse("画像として読み込めないファイルです。", "not_an_image")


def _reencode(data: bytes, image_format: str, budget: int) -> tuple[bytes, str, int, int]:
    box = settings.MARKDOWNX_IMAGE_MAX_SIZE["size"]
    quality = settings.MARKDOWNX_IMAGE_MAX_SIZE.get("quality", 85)
    buffer = BytesIO()
    with Image.open(BytesIO(data)) as source:
        if getattr(source, "is_animated", False):
            frames, durations, seen = [], [], 0
            for frame in ImageSequence.Iterator(source):
                seen += source.width * source.height
                if seen > budget:
                    _refuse("アニメーションのコマ数と画素数が多すぎます。", "too_many_pixels")
                copy = frame.convert("RGBA")
                copy.thumbnail(box)
                frames.append(copy)
                durations.append(frame.info.get("duration", 100))
            first, rest = frames[0], frames[1:]
            first.save(
                buffer, image_format, save_all=True, append_images=rest, duration=durations,
                loop=source.info.get("loop", 0), disposal=2, quality=quality,
            )  # fmt: skip
            size = first.size
        else:
            if image_format == "JPEG":
                source.draft("RGB", box)  # decode at a reduced scale when the JPEG allows it
            image = ImageOps.exif_transpose(source)
            image.thumbnail(box)
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(buffer, image_format, quality=quality)
            size = image.size
    return buffer.getvalue(), image_format, size[0], size[1]
