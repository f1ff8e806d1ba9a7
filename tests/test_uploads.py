"""Editor image uploads (/markdownx/upload/): real images only, random names, bounded size."""

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/markdownx/upload/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def staff():
    client = Client()
    client.force_login(make_user("photo-editor"))
    return client


def image_bytes(fmt="PNG", size=(40, 30), exif=False):
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCamera"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def upload(client, name, content, content_type):
    return client.post(
        URL, {"image": SimpleUploadedFile(name, content, content_type=content_type)}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )


def stored_path(response, media_root):
    # The alt text is a placeholder for the writer to type over; the name carries the stored size.
    match = re.fullmatch(
        r"!\[画像の説明を入力\]\(/media/(uploads/[0-9a-f]{32}-[0-9]+x[0-9]+\.(png|jpg|gif|webp))\)",
        response.json()["image_code"],
    )
    assert match, response.json()
    return media_root / match.group(1)


def test_anonymous_users_cannot_upload():
    response = upload(Client(), "a.png", image_bytes(), "image/png")
    assert response.status_code == 403


def test_a_png_is_stored_under_a_random_name(staff, media_root):
    response = upload(staff, "社内資料の図.png", image_bytes(), "image/png")
    assert response.status_code == 200
    path = stored_path(response, media_root)
    assert path.exists()
    with Image.open(path) as stored:
        assert stored.format == "PNG" and stored.size == (40, 30)
    second = stored_path(upload(staff, "社内資料の図.png", image_bytes(), "image/png"), media_root)
    assert second != path


def test_the_extension_comes_from_the_bytes_not_the_name_or_declared_type(staff, media_root):
    gif = image_bytes("GIF")
    path = stored_path(upload(staff, "evil.html", gif, "image/png"), media_root)
    assert path.suffix == ".gif"
    with Image.open(path) as stored:
        assert stored.format == "GIF"


def test_jpeg_metadata_is_dropped(staff, media_root):
    original = image_bytes("JPEG", exif=True)
    assert b"SecretCamera" in original
    path = stored_path(upload(staff, "photo.jpg", original, "image/jpeg"), media_root)
    assert b"SecretCamera" not in path.read_bytes()


def test_large_images_are_shrunk_to_fit(staff, media_root):
    path = stored_path(upload(staff, "wide.png", image_bytes(size=(3200, 400)), "image/png"), media_root)
    with Image.open(path) as stored:
        assert stored.size == (1600, 200)


def test_a_file_that_is_not_an_image_is_refused(staff, media_root):
    response = upload(staff, "shell.png", b"<?php echo 'not an image'; ?>" * 10, "image/png")
    assert response.status_code == 400
    assert "画像として読み込めない" in response.content.decode()
    assert not list(media_root.rglob("*.*"))


def test_svg_is_refused(staff, media_root):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name, content_type in [("logo.svg", "image/svg+xml"), ("logo.png", "image/png")]:
        response = upload(staff, name, svg, content_type)
        assert response.status_code == 400
        assert "SVG" in response.content.decode() or "画像として読み込めない" in response.content.decode()
    assert not list(media_root.rglob("*.*"))


def test_other_image_formats_are_refused(staff):
    response = upload(staff, "old.bmp", image_bytes("BMP"), "image/bmp")
    assert response.status_code == 400
    assert "JPEG・PNG・GIF・WebP" in response.content.decode()


def test_uploads_over_the_size_limit_are_refused(staff, settings):
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 1024 * 1024
    big = image_bytes("PNG", size=(2000, 2000))
    big += b"\0" * (settings.MARKDOWNX_UPLOAD_MAX_SIZE + 1 - len(big))
    response = upload(staff, "big.png", big, "image/png")
    assert response.status_code == 400
    assert "画像が大きすぎます" in response.content.decode()


def test_uploaded_media_is_served_with_nosniff(staff, media_root, settings):
    settings.SERVE_MEDIA = True
    path = stored_path(upload(staff, "a.png", image_bytes(), "image/png"), media_root)
    response = Client().get("/media/uploads/" + path.name)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    settings.SERVE_MEDIA = False
    assert Client().get("/media/uploads/" + path.name).status_code == 404
