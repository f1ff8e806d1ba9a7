"""Cover images: uploaded in the article form with alt text and a focal point, validated like every
upload, cut by a background task into 16:9 and 1.91:1 renditions around the focal point at
400–1600 pixels in AVIF, WebP and JPEG (and 1:1 and 4:3 JPEGs for structured data), served as
<picture> — the original in the crop's shape until the renditions exist — and shown to social
sites as og:image."""

import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms import modelform_factory
from django.urls import reverse
from PIL import Image

from blog import pictures
from blog.models import Article, Picture
from editorial.forms import ArticleAdminForm
from tests.editorial.conftest import change_form_data
from tests.factories import image_bytes, make_article, make_category, make_picture, make_user

pytestmark = pytest.mark.django_db

RED, BLUE = (220, 30, 30), (30, 30, 220)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(data, name="cover.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def open_rendition(name):
    with default_storage.open(name, "rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def article_form(article=None, files=None, **data):
    article = article or make_article()
    fields = {**change_form_data(article), "cover_focal_x": "0.5", "cover_focal_y": "0.5", **data}
    # The form as the admin builds it: state and publication time are read-only there.
    form_class = modelform_factory(Article, form=ArticleAdminForm, exclude=["status", "published_at"])
    return form_class(fields, files or {}, instance=article)


# -- Validation -------------------------------------------------------------------------


def test_a_cover_needs_alt_text():
    form = article_form(files={"cover_upload": upload(image_bytes(800, 450))}, cover_alt="  ")
    assert not form.is_valid()
    assert "代替テキスト" in form.errors["cover_alt"][0]


def test_an_svg_cover_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    form = article_form(files={"cover_upload": upload(svg, "cover.svg", "image/svg+xml")}, cover_alt="図")
    assert not form.is_valid()
    assert "SVG" in form.errors["cover_upload"][0]


def test_a_file_that_is_not_an_image_is_refused():
    form = article_form(files={"cover_upload": upload(b"GIF89a but not really", "cover.gif")}, cover_alt="図")
    assert not form.is_valid()
    assert "画像として読み込めない" in form.errors["cover_upload"][0]


def test_a_cover_over_the_size_limit_is_refused(settings):
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 1024
    form = article_form(files={"cover_upload": upload(image_bytes(800, 450) + b"\0" * 2048)}, cover_alt="図")
    assert not form.is_valid()
    assert "大きすぎます" in form.errors["cover_upload"][0]


def test_a_cover_too_small_to_share_is_refused():
    form = article_form(files={"cover_upload": upload(image_bytes(640, 360))}, cover_alt="図")
    assert not form.is_valid()
    assert "小さすぎます（640×360px）" in form.errors["cover_upload"][0]


def test_a_focal_point_outside_the_image_is_refused():
    form = article_form(files={"cover_upload": upload(image_bytes(800, 450))}, cover_alt="図", cover_focal_x="1.5")
    assert not form.is_valid()
    assert "cover_focal_x" in form.errors


def test_the_stored_original_has_no_exif(media, django_capture_on_commit_callbacks):
    source = Image.new("RGB", (900, 500), BLUE)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (35.0, 41.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", exif=exif)
    assert b"SecretCam" in buffer.getvalue()
    form = article_form(files={"cover_upload": upload(buffer.getvalue())}, cover_alt="青い背景")
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):  # the renditions' task runs on commit
        article = form.save()
    stored = [p.read_bytes() for p in media.rglob("*") if p.is_file()]
    # original + 2 crops × 3 widths (400, 800, its own) × 3 formats + the 1:1 and 4:3 JPEGs
    assert len(stored) == 1 + 2 * 3 * 3 + 2
    assert not any(b"SecretCam" in data for data in stored)
    assert Image.open(default_storage.open(article.cover.file.name)).getexif() == {}


# -- Renditions -------------------------------------------------------------------------


def test_renditions_are_made_at_each_width_and_format_never_upscaled():
    picture = make_picture(width=2000, height=1200)  # fitted to 1600×960 on upload
    card, share = picture.sources("card"), picture.sources("share")
    assert set(card) == set(share) == {"avif", "webp", "jpg"}
    assert [row[:2] for row in card["jpg"]] == [[400, 225], [800, 450], [1200, 675], [1600, 900]]
    assert [row[:2] for row in share["jpg"]] == [[400, 210], [800, 420], [1200, 630], [1600, 840]]
    for extension, pillow_format in [("avif", "AVIF"), ("webp", "WEBP"), ("jpg", "JPEG")]:
        for width, height, name in card[extension] + share[extension]:
            image = open_rendition(name)
            assert (image.format, image.size) == (pillow_format, (width, height))
    # For structured data only: one JPEG each, at most 1200 wide, the square as high as the picture.
    assert {crop: [row[:2] for row in picture.sources(crop)["jpg"]] for crop in ("standard", "square")} == {
        "standard": [[1200, 900]], "square": [[960, 960]],
    }  # fmt: skip
    assert set(picture.sources("standard")) == set(picture.sources("square")) == {"jpg"}
    for crop in ("standard", "square"):
        width, height, name = picture.largest(crop)
        assert open_rendition(name).size == (width, height)


def test_a_narrow_cover_stops_at_its_own_width():
    picture = make_picture(width=1000, height=600)
    assert [row[:2] for row in picture.sources("card")["webp"]] == [[400, 225], [800, 450], [1000, 562]]
    assert max(row[0] for row in picture.sources("share")["avif"]) == 1000


def colour_at(image, x, y):
    return image.convert("RGB").getpixel((x, y))


def is_close(colour, target):
    return all(abs(a - b) < 40 for a, b in zip(colour, target))


@pytest.mark.parametrize("focal_x, kept, cut", [(0.9, RED, BLUE), (0.1, BLUE, RED)])
def test_the_card_crop_keeps_the_focal_point(focal_x, kept, cut):
    # 1600×600: the 16:9 crop is 1067 wide, so one of the two coloured ends must go.
    blocks = [((0, 0, 159, 599), BLUE), ((1440, 0, 1599, 599), RED)]
    picture = make_picture(width=1600, height=600, focal=(focal_x, 0.5), blocks=blocks)
    width, height, name = picture.largest("card")
    image = open_rendition(name)
    edges = [colour_at(image, 5, height // 2), colour_at(image, width - 6, height // 2)]
    assert any(is_close(c, kept) for c in edges)
    assert not any(is_close(c, cut) for c in edges)


def test_the_share_crop_follows_the_focal_point_vertically():
    # 800×800: the 40:21 share crop is 800×420; a focal point at the bottom keeps the red floor.
    picture = make_picture(width=800, height=800, focal=(0.5, 0.95), blocks=[((0, 700, 799, 799), RED)])
    width, height, name = picture.largest("share")
    assert (width, height) == (800, 420)
    image = open_rendition(name)
    assert is_close(colour_at(image, 400, height - 5), RED)
    assert not is_close(colour_at(image, 400, 5), RED)


def test_crop_box_stays_inside_the_image():
    assert pictures.crop_box(1600, 900, (16, 9), 0.0, 0.0) == (0, 0, 1600, 900)
    assert pictures.crop_box(1600, 1200, (16, 9), 0.5, 1.0) == (0, 300, 1600, 1200)
    assert pictures.crop_box(1600, 1200, (16, 9), 0.5, 0.5) == (0, 150, 1600, 1050)
    assert pictures.crop_box(2000, 1000, (1, 1), 0.9, 0.5) == (1000, 0, 2000, 1000)


def test_moving_the_focal_point_makes_new_renditions_and_deletes_the_old(django_capture_on_commit_callbacks):
    article = make_article(cover=make_picture())
    old = pictures.rendition_names(article.cover)
    form = article_form(article, cover_alt="研究室のサーバーラック", cover_focal_x="0.2", cover_focal_y="0.3")
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        form.save()
    article.cover.refresh_from_db()
    new = pictures.rendition_names(article.cover)
    assert (article.cover.focal_x, article.cover.focal_y) == (0.2, 0.3)
    assert new and not new & old
    assert all(default_storage.exists(name) for name in new)
    assert not any(default_storage.exists(name) for name in old)


def test_removing_a_cover_deletes_the_picture_and_its_files(media, django_capture_on_commit_callbacks):
    article = make_article(cover=make_picture())
    form = article_form(article, cover_alt="x", cover_remove="on")
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        form.save()
    article.refresh_from_db()
    assert article.cover is None
    assert not Picture.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


# -- The admin, as an editor ------------------------------------------------------------


def test_an_editor_uploads_a_cover_in_the_article_form(client, django_capture_on_commit_callbacks):
    editor = make_user("henshu", groups=["Editor"])
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    url = reverse("admin:blog_article_change", args=[article.pk])
    page = client.get(url)
    assert b'enctype="multipart/form-data"' in page.content
    assert b"data-focal-picker" in page.content and b"focal_point.js" in page.content
    data = {
        **change_form_data(article), "cover_alt": "GPUを並べたサーバー", "cover_focal_x": "0.25", "cover_focal_y": "0.75",
        "cover_upload": upload(image_bytes(1000, 600)),
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # the renditions' task runs on commit
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    article.refresh_from_db()
    assert (article.cover.alt, article.cover.focal_x, article.cover.focal_y) == ("GPUを並べたサーバー", 0.25, 0.75)
    assert article.cover.sources("card")["jpg"][-1][:2] == [1000, 562]
    page = client.get(url)
    assert article.cover.file.url.encode() in page.content  # the preview to click on


def test_a_refused_cover_keeps_the_rest_of_the_form(client):
    editor = make_user("henshu", groups=["Editor"])
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    data = {**change_form_data(article, body="消えてはいけない本文"), "cover_alt": "図", "cover_upload": upload(b"<svg/>", "x.svg")}
    response = client.post(reverse("admin:blog_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    assert "SVG画像はアップロードできません".encode() in response.content
    assert "消えてはいけない本文".encode() in response.content
    article.refresh_from_db()
    assert article.cover is None and article.body != "消えてはいけない本文"


# -- Markup -----------------------------------------------------------------------------


def pictures_in(html):
    return re.findall(r"<picture[^>]*>.*?</picture>", html, re.S)


def test_the_article_page_leads_with_the_cover_fetched_first(client):
    article = make_article(cover=make_picture(width=1600, height=900, alt="データセンターの夜景"))
    html = client.get(article.get_absolute_url()).content.decode()
    lead = pictures_in(html.split('class="article__header"')[1].split("</header>")[0])[0]
    assert '<source type="image/avif" srcset="' in lead and '<source type="image/webp" srcset="' in lead
    assert lead.index("image/avif") < lead.index("image/webp")
    img = re.search(r"<img [^>]*>", lead)[0]
    assert 'fetchpriority="high"' in img and "loading=" not in img
    assert 'width="800" height="450"' in img and 'alt="データセンターの夜景"' in img
    assert 'sizes="(min-width: 42.5rem) 40rem, calc(100vw - 2.5rem)"' in img
    assert re.search(r'srcset="[^"]*card-400x225-\w+\.jpg 400w, [^"]*card-1600x900-\w+\.jpg 1600w"', img)


def test_og_image_and_json_ld_use_the_share_crop(client):
    article = make_article(cover=make_picture(width=1600, height=900, alt="データセンターの夜景"))
    html = client.get(article.get_absolute_url()).content.decode()
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html)[1]
    assert og.startswith("http://testserver/media/pictures/") and re.search(r"share-1200x630-\w+\.jpg$", og)
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert '<meta property="og:image:type" content="image/jpeg">' in html
    assert '<meta property="og:image:alt" content="データセンターの夜景">' in html
    assert f'<meta name="twitter:image" content="{og}">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    share, card, _standard, _square = data["image"]
    assert share == {"@type": "ImageObject", "url": og, "width": 1200, "height": 630}
    assert card["url"].endswith(".jpg") and "/card-1200x675-" in card["url"] and (card["width"], card["height"]) == (1200, 675)


def test_without_a_cover_the_generated_share_image_stays(client):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r'<meta property="og:image" content="http://testserver/og/\d+-\w+\.png">', html)
    assert "<picture" not in html


def test_a_cover_without_renditions_yet_shows_its_original_in_the_crops_shape(client, settings):
    settings.SERVE_MEDIA = True
    picture = make_picture(width=1600, height=1200, focal=(0.5, 1.0), alt="棚に並ぶサーバー")
    Picture.objects.filter(pk=picture.pk).update(renditions={})
    article = make_article(cover=picture)
    html = client.get(article.get_absolute_url()).content.decode()
    (lead,) = pictures_in(html.split('class="article__header"')[1].split("</header>")[0])
    assert "<source" not in lead
    img = re.search(r"<img [^>]*>", lead)[0]
    assert f'src="{picture.file.url}"' in img and "srcset" not in img
    assert 'width="800" height="450"' in img  # the 16:9 crop's shape: nothing moves when renditions replace it
    assert 'style="object-position: 50% 100%"' in img  # the focal point at the bottom
    assert 'alt="棚に並ぶサーバー"' in img and 'fetchpriority="high"' in img
    assert client.get(picture.file.url).status_code == 200  # the original is served: no broken image
    assert "/og/" in html  # og:image waits for the share crop


def test_home_cards_load_the_first_covers_at_once_and_the_rest_lazily(client):
    cover = make_picture(alt="カードの画像")
    category = make_category()
    for _n in range(5):
        make_article(cover=cover, category=category)
    for attempt in ("rendered", "kept"):  # the second answer comes from kept card fragments
        html = client.get("/").content.decode()
        imgs = [re.search(r"<img [^>]*>", p)[0] for p in pictures_in(html)]
        assert len(imgs) == 5, attempt
        assert 'fetchpriority="high"' in imgs[0] and "loading=" not in imgs[0]
        assert all("loading=" not in img and "fetchpriority" not in img for img in imgs[1:3])
        assert all('loading="lazy"' in img for img in imgs[3:])
        assert all('width="800" height="450"' in img and 'sizes="(min-width: 74.5rem) 23rem' in img for img in imgs)


def test_cards_on_other_lists_are_lazy(client):
    category = make_category()
    make_article(cover=make_picture(), category=category)
    html = client.get(category.get_absolute_url()).content.decode()
    (card,) = pictures_in(html)
    assert 'loading="lazy"' in card and "fetchpriority" not in card


# -- The command --------------------------------------------------------------------------


def test_regenerate_renditions_reports_progress_and_rewrites_every_picture():
    first, second = make_picture(), make_picture(kind=Picture.Kind.PORTRAIT, width=400, height=400)
    before = pictures.rendition_names(first) | pictures.rendition_names(second)
    out = io.StringIO()
    call_command("regenerate_renditions", stdout=out)
    output = out.getvalue()
    assert "1/2" in output and "2/2" in output
    # a cover: 2 crops × 2 widths (400, 800) × 3 formats + 1:1 and 4:3 JPEGs; a photo: 1 crop × 2 widths (200, 400) × 3
    assert "2 件の画像から 20 個の派生画像を作りました。" in output
    first.refresh_from_db()
    second.refresh_from_db()
    assert pictures.rendition_names(first) | pictures.rendition_names(second) == before  # same names, rewritten
    assert all(default_storage.exists(name) for name in before)


def test_regenerate_missing_only_touches_pictures_without_renditions():
    done, empty = make_picture(), make_picture()
    Picture.objects.filter(pk=empty.pk).update(renditions={})
    out = io.StringIO()
    call_command("regenerate_renditions", "--missing", stdout=out)
    assert "1/1" in out.getvalue()
    empty.refresh_from_db()
    assert empty.sources("card")["jpg"]


def test_regenerate_reports_a_missing_original_and_goes_on():
    broken, fine = make_picture(), make_picture()
    default_storage.delete(broken.file.name)
    out, err = io.StringIO(), io.StringIO()
    call_command("regenerate_renditions", stdout=out, stderr=err)
    assert "2/2" in out.getvalue() and "1 件は失敗" in out.getvalue()
    assert broken.file.name in err.getvalue()


def test_an_editor_who_may_only_view_sees_the_cover_not_its_form_fields(client):
    writer = make_user("kakite", groups=["Writer"])  # someone else's published article: view only
    article = make_article(cover=make_picture(alt="データセンターの夜景"))
    client.force_login(writer)
    response = client.get(reverse("admin:blog_article_change", args=[article.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-focal-picker" not in html and "Cover upload" not in html
    assert "代替テキスト：データセンターの夜景" in html
    assert re.search(r'<img src="/media/pictures/\w+/card-400x225-\w+\.jpg"', html)


# -- The background task ------------------------------------------------------------------


def test_saving_a_cover_does_not_make_renditions_in_the_request(client, media, settings, django_capture_on_commit_callbacks):
    """With the database backend, as in production, the admin's save answers before any rendition
    exists: only the original is written, and a task waits in the queue; the worker makes them."""
    from unittest import mock

    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    editor = make_user("henshu", groups=["Editor"])
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    data = {**change_form_data(article), "cover_alt": "GPUを並べたサーバー", "cover_upload": upload(image_bytes(1000, 600))}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:blog_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    cover = article.cover
    assert cover.renditions == {}
    assert [p.name for p in media.rglob("*") if p.is_file()] == [cover.file.name.rsplit("/", 1)[1]]
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "blog.pictures.make_renditions" and queued.status == "READY"
    assert queued.args_kwargs["args"] == [cover.pk, pictures.rendition_digest(cover)]
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):  # keep the test's transaction
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    cover.refresh_from_db()
    assert pictures.has_current_renditions(cover)
    assert all(default_storage.exists(name) for name in pictures.rendition_names(cover))


def test_the_renditions_task_does_nothing_for_a_picture_gone_reframed_or_already_done():
    picture = make_picture()
    made = pictures.rendition_names(picture)
    assert pictures.make_renditions.call(picture.pk, pictures.rendition_digest(picture)) == 0  # already there
    assert pictures.make_renditions.call(picture.pk, "an-older-framing") == 0
    assert pictures.make_renditions.call(picture.pk + 1000, "whatever") == 0
    picture.refresh_from_db()
    assert pictures.rendition_names(picture) == made
    Picture.objects.filter(pk=picture.pk).update(renditions={})
    # 800×450: 16:9 and 40:21 crops at 400 and 800 in three formats, the 1:1 (450) and 4:3 (600) JPEGs
    assert pictures.make_renditions.call(picture.pk, pictures.rendition_digest(picture)) == 2 * 2 * 3 + 2


def test_with_the_immediate_backend_an_upload_has_its_renditions_once_committed(django_capture_on_commit_callbacks):
    form = article_form(files={"cover_upload": upload(image_bytes(1000, 600))}, cover_alt="図")
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = form.save()
    assert article.cover.renditions == {}  # nothing before the commit
    for callback in callbacks:
        callback()
    article.cover.refresh_from_db()
    assert pictures.has_current_renditions(article.cover)
    assert article.cover.sources("card")["jpg"][-1][:2] == [1000, 562]
