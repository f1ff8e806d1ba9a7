"""The series desk (連載) in the admin: editors and the editor-in-chief create series and put
their articles in order; writers can look but not change; the cover is validated like every
upload (the bytes decide, SVG refused, metadata dropped) and needs alt text."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from blog.models import Article, Series, SeriesEntry
from tests.factories import make_article, make_series, make_user

pytestmark = pytest.mark.django_db

ROLES = {"writer": ["Writer"], "editor": ["Editor"], "chief": ["Editor-in-chief"]}
ADD = reverse("admin:blog_series_add")
CHANGELIST = reverse("admin:blog_series_changelist")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client_for(role):
    client = Client()
    client.force_login(make_user(f"{role}-user", groups=ROLES[role]))
    return client


def change_url(series):
    return reverse("admin:blog_series_change", args=[series.pk])


def form_data(title="新しい連載", entries=(), initial=0, **fields):
    """The add/change form as the browser posts it: ``entries`` are ``(position, article, entry or None, delete)``."""
    data = {"title": title, "slug": "", "description": "", "cover_alt": "", **fields}
    data.update({
        "entries-TOTAL_FORMS": str(len(entries)), "entries-INITIAL_FORMS": str(initial),
        "entries-MIN_NUM_FORMS": "0", "entries-MAX_NUM_FORMS": "1000",
    })  # fmt: skip
    for n, (position, article, entry, delete) in enumerate(entries):
        data[f"entries-{n}-position"] = str(position)
        data[f"entries-{n}-article"] = str(article.pk)
        data[f"entries-{n}-series"] = str(entry.series_id) if entry else ""
        data[f"entries-{n}-id"] = str(entry.pk) if entry else ""
        if delete:
            data[f"entries-{n}-DELETE"] = "on"
    return data


def png(size=(64, 36), exif=False):
    image = Image.new("RGB", size, (30, 90, 200))
    buffer = BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCamera"
        kwargs["exif"] = data.tobytes()
    image.save(buffer, "JPEG" if exif else "PNG", **kwargs)
    return buffer.getvalue()


# -- who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize("role, can_view, can_add, can_delete", [
    ("writer", True, False, False),
    ("editor", True, True, False),
    ("chief", True, True, True),
])  # fmt: skip
def test_each_role_sees_the_series_desk_as_the_workflow_document_says(role, can_view, can_add, can_delete):
    series = make_series("既存の連載", articles=[make_article()])
    client = client_for(role)
    assert client.get(CHANGELIST).status_code == (200 if can_view else 403)
    assert client.get(ADD).status_code == (200 if can_add else 403)
    delete = client.get(reverse("admin:blog_series_delete", args=[series.pk]))
    assert delete.status_code == (200 if can_delete else 403)
    change = client.get(change_url(series))
    assert change.status_code == 200
    # A writer gets the read-only view: no save button, no inline form to add articles.
    assert ('name="_save"' in change.content.decode()) is can_add


def test_a_writer_cannot_create_or_change_a_series_by_posting():
    article = make_article()
    series = make_series("既存の連載")
    writer = client_for("writer")
    assert writer.post(ADD, form_data("書き手の連載", entries=[(1, article, None, False)])).status_code == 403
    response = writer.post(change_url(series), form_data("書き換え", entries=[(1, article, None, False)]))
    assert response.status_code == 403
    series.refresh_from_db()
    assert series.title == "既存の連載" and not SeriesEntry.objects.exists()
    assert Series.objects.count() == 1


def test_an_editor_cannot_delete_a_series_but_the_chief_can():
    series = make_series("消される連載", articles=[make_article()])
    url = reverse("admin:blog_series_delete", args=[series.pk])
    assert client_for("editor").post(url, {"post": "yes"}).status_code == 403
    assert Series.objects.filter(pk=series.pk).exists()
    assert client_for("chief").post(url, {"post": "yes"}).status_code == 302
    assert not Series.objects.filter(pk=series.pk).exists()
    assert Article.objects.count() == 1  # the articles stay


# -- ordering articles --------------------------------------------------------------------


def test_an_editor_creates_a_series_with_articles_in_order_and_positions_are_renumbered():
    first, second, third = make_article("一本目"), make_article("二本目"), make_article("三本目")
    editor = client_for("editor")
    response = editor.post(ADD, form_data("AIエージェント入門", description="入門連載", entries=[
        (30, third, None, False), (10, first, None, False), (20, second, None, False),
    ]))  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    series = Series.objects.get()
    assert series.slug == "aiエージェント入門"
    assert list(series.entries.values_list("article__title", "position")) == [("一本目", 1), ("二本目", 2), ("三本目", 3)]


def test_an_editor_moves_an_article_forward_and_removes_another():
    first, second, third = make_article("一本目"), make_article("二本目"), make_article("三本目")
    series = make_series("並べ替える連載", articles=[first, second, third])
    entries = {e.article_id: e for e in series.entries.all()}
    response = client_for("editor").post(change_url(series), form_data("並べ替える連載", initial=3, entries=[
        (1, first, entries[first.pk], True), (3, second, entries[second.pk], False), (2, third, entries[third.pk], False),
    ]))  # fmt: skip
    assert response.status_code == 302
    assert list(series.entries.values_list("article__title", "position")) == [("三本目", 1), ("二本目", 2)]
    assert Article.objects.filter(pk=first.pk).exists()


def test_an_article_added_without_a_number_goes_to_the_end():
    first, second, new = make_article("一本目"), make_article("二本目"), make_article("新しい回")
    series = make_series("足していく連載", articles=[first, second])
    entries = {e.article_id: e for e in series.entries.all()}
    response = client_for("editor").post(change_url(series), form_data("足していく連載", initial=2, entries=[
        (1, first, entries[first.pk], False), (2, second, entries[second.pk], False), ("", new, None, False),
    ]))  # fmt: skip
    assert response.status_code == 302
    assert list(series.entries.values_list("article__title", "position")) == [("一本目", 1), ("二本目", 2), ("新しい回", 3)]


def test_the_empty_row_offers_no_number_and_no_shortcut_to_write_an_article():
    series = make_series("空欄の連載")
    html = client_for("editor").get(change_url(series)).content.decode()
    assert 'name="entries-0-position" value="0"' not in html
    assert 'name="entries-0-position"' in html
    assert "add_id_entries-0-article" not in html


def test_an_article_already_in_another_series_is_refused_with_a_message():
    article = make_article("取り合いの記事")
    make_series("先の連載", articles=[article])
    response = client_for("editor").post(ADD, form_data("後の連載", entries=[(1, article, None, False)]))
    assert response.status_code == 200
    assert "既に存在します" in response.content.decode()
    assert Series.objects.count() == 1


def test_the_change_page_shows_whether_each_article_is_public():
    published, draft = make_article("公開済みの回"), make_article("下書きの回", status=Article.Status.DRAFT)
    series = make_series("状態を見る連載", articles=[published, draft])
    html = client_for("editor").get(change_url(series)).content.decode()
    assert "公開中" in html and "下書き" in html


def test_the_list_counts_all_and_published_articles():
    make_series("数える連載", articles=[make_article(), make_article(status=Article.Status.DRAFT)])
    html = client_for("editor").get(CHANGELIST).content.decode()
    assert '<td class="field-article_count">2</td>' in html
    assert '<td class="field-published_count">1</td>' in html


# -- the cover ---------------------------------------------------------------------------


def test_a_cover_is_stored_re_encoded_under_a_random_name_with_its_size(media_root):
    data = form_data("表紙のある連載", cover_alt="青い四角", cover=SimpleUploadedFile("私の写真.jpg", png(exif=True), "image/jpeg"))
    assert client_for("editor").post(ADD, data).status_code == 302
    series = Series.objects.get()
    assert series.cover.name.startswith("series/") and series.cover.name.endswith(".jpg")
    assert "私の写真" not in series.cover.name
    assert (series.cover_width, series.cover_height) == (64, 36)
    stored = (media_root / series.cover.name).read_bytes()
    assert b"SecretCamera" not in stored
    with Image.open(BytesIO(stored)) as image:
        assert image.format == "JPEG"


def test_a_cover_needs_alt_text():
    data = form_data("代替テキストなし", cover=SimpleUploadedFile("a.png", png(), "image/png"))
    response = client_for("editor").post(ADD, data)
    assert response.status_code == 200
    assert "カバー画像の代替テキストを入力してください。" in response.content.decode()
    assert not Series.objects.exists()


@pytest.mark.parametrize("name, content, message", [
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG画像はアップロードできません"),
    ("fake.png", b"not an image at all", "画像として読み込めないファイルです"),
])  # fmt: skip
def test_a_bad_cover_is_refused_with_the_reason_and_the_rest_of_the_form_kept(name, content, message):
    data = form_data("残る題名", description="残る説明", cover_alt="説明", cover=SimpleUploadedFile(name, content, "image/png"))
    response = client_for("editor").post(ADD, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "残る題名" in html and "残る説明" in html
    assert not Series.objects.exists()


def test_the_cover_shows_on_the_series_page_with_its_size_and_alt_text():
    series = make_series("表紙の連載", articles=[make_article()])
    data = form_data("表紙の連載", cover_alt="青い四角の表紙", cover=SimpleUploadedFile("c.png", png(), "image/png"))
    assert client_for("editor").post(change_url(series), data).status_code == 302
    html = Client().get(series.get_absolute_url()).content.decode()
    assert 'alt="青い四角の表紙" width="64" height="36"' in html
