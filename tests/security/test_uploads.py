"""Hostile image uploads: pixel bombs are refused before decoding, nothing is stored verbatim."""

import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from blog import uploads
from tests.test_uploads import media_root, staff, stored_path  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
URL = "/markdownx/upload/"
PAYLOAD = b"<html><script>alert(document.domain)</script></html>"


def upload(client, name, content, content_type):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(URL, {"image": file}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def pixel_bomb_png(width=6300, height=6300) -> bytes:
    """A valid RGBA PNG of ``width``×``height`` transparent pixels, a few hundred KB on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 6, 0, 0, 0])
    rows = zlib.compress((b"\0" + b"\0" * (4 * width)) * height, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def gif_bytes(frames=1) -> bytes:
    colors = [(220, 30, 30), (30, 200, 30), (30, 30, 220), (240, 240, 0)]
    images = [Image.new("RGB", (32, 24), colors[n % len(colors)]) for n in range(frames)]
    buffer = BytesIO()
    images[0].save(buffer, "GIF", save_all=frames > 1, append_images=images[1:], duration=120, loop=0)
    return buffer.getvalue()


def test_the_pixel_bomb_fixture_is_small_on_disk_and_huge_decoded():
    bomb = pixel_bomb_png()
    assert len(bomb) < 300_000
    with Image.open(BytesIO(bomb)) as probe:
        assert probe.size == (6300, 6300) and probe.mode == "RGBA"


def test_a_pixel_bomb_is_refused_from_its_header_without_decoding(monkeypatch):
    def decoding_is_not_allowed(self, *args, **kwargs):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(Image.Image, "load", decoding_is_not_allowed)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", decoding_is_not_allowed)
    with pytest.raises(ValidationError) as refused:
        uploads.clean_image(SimpleUploadedFile("bomb.png", pixel_bomb_png(), content_type="image/png"))
    assert refused.value.code == "too_many_pixels"


def test_a_pixel_bomb_upload_answers_400_and_stores_nothing(staff, media_root):
    response = upload(staff, "bomb.png", pixel_bomb_png(), "image/png")
    assert response.status_code == 400
    assert "画素数が多すぎます" in response.content.decode()
    assert not list(media_root.rglob("*.*"))


def test_the_pixel_budget_is_a_setting(settings):
    settings.UPLOAD_MAX_PIXELS = 1000
    with pytest.raises(ValidationError):
        uploads.clean_image(SimpleUploadedFile("a.png", pixel_bomb_png(40, 30), content_type="image/png"))
    settings.UPLOAD_MAX_PIXELS = 25_000_000
    data, image_format, width, height = uploads.clean_image(
        SimpleUploadedFile("a.png", pixel_bomb_png(40, 30), content_type="image/png")
    )
    assert (image_format, width, height) == ("PNG", 40, 30)


def test_decoding_is_refused_past_the_memory_cap(settings):
    settings.UPLOAD_DECODE_MAX_BYTES = 1000
    with pytest.raises(ValidationError):
        uploads.clean_image(SimpleUploadedFile("a.png", pixel_bomb_png(40, 30), content_type="image/png"))


def test_a_gif_polyglot_is_re_encoded_without_its_appended_payload(staff, media_root):
    polyglot = gif_bytes() + PAYLOAD
    path = stored_path(upload(staff, "page.gif", polyglot, "image/gif"), media_root)
    stored = path.read_bytes()
    assert stored != polyglot
    assert b"<script" not in stored and b"alert" not in stored
    with Image.open(path) as image:
        assert image.format == "GIF" and image.size == (32, 24)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP", "GIF"])
def test_no_format_is_stored_byte_for_byte(image_format, staff, media_root):
    buffer = BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 200)).save(buffer, image_format)
    original = buffer.getvalue() + PAYLOAD
    path = stored_path(upload(staff, "x.img", original, "application/octet-stream"), media_root)
    assert PAYLOAD not in path.read_bytes()


def test_an_animated_gif_keeps_its_frames_after_re_encoding(staff, media_root):
    path = stored_path(upload(staff, "anim.gif", gif_bytes(frames=3) + PAYLOAD, "image/gif"), media_root)
    assert PAYLOAD not in path.read_bytes()
    with Image.open(path) as image:
        assert image.n_frames == 3


def test_an_animation_over_the_pixel_budget_is_refused(settings):
    settings.UPLOAD_MAX_PIXELS = 32 * 24 * 2
    with pytest.raises(ValidationError):
        uploads.clean_image(SimpleUploadedFile("anim.gif", gif_bytes(frames=3), content_type="image/gif"))


def test_clean_image_reports_the_stored_size():
    buffer = BytesIO()
    Image.new("RGB", (3200, 400), (0, 0, 0)).save(buffer, "PNG")
    data, image_format, width, height = uploads.clean_image(SimpleUploadedFile("w.png", buffer.getvalue()))
    assert (image_format, width, height) == ("PNG", 1600, 200)
    with Image.open(BytesIO(data)) as stored:
        assert stored.size == (1600, 200)


def test_svg_is_still_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError) as refused:
        uploads.clean_image(SimpleUploadedFile("logo.png", svg, content_type="image/png"))
    assert refused.value.code == "svg"
