"""An article page's ``NewsArticle`` JSON-LD: what Google News and Top stories read."""

import datetime
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from blog import brand
from blog.models import Article
from tests.factories import make_article, make_author, make_category, make_picture

pytestmark = pytest.mark.django_db

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
LOGO_FILE = Path(django_settings.BASE_DIR) / "static" / "img" / "logo.png"


def jsonld_of(client, article) -> dict:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    (payload,) = JSONLD.findall(response.content.decode())
    return json.loads(payload)


@pytest.fixture
def article():
    return make_article(
        "Gemini 2.5 の長文推論を読み解く",
        category=make_category("LLM"),
        authors=[make_author("佐藤 美咲"), make_author("ALLFORCES編集部", is_team=True)],
        tags=["Google", "推論"],
        published_at=timezone.now() - datetime.timedelta(hours=2),
    )


def test_article_page_is_a_news_article_with_headline_dates_and_language(client, article):
    data = jsonld_of(client, article)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Gemini 2.5 の長文推論を読み解く"
    assert data["inLanguage"] == "ja"
    assert data["url"] == data["mainEntityOfPage"]["@id"] == "http://testserver" + article.get_absolute_url()
    published = datetime.datetime.fromisoformat(data["datePublished"])
    modified = datetime.datetime.fromisoformat(data["dateModified"])
    assert published == article.published_at.replace(microsecond=0)
    assert modified == max(article.updated_at, article.published_at).replace(microsecond=0)
    assert modified >= published
    assert data["articleSection"] == "LLM"
    assert sorted(data["keywords"]) == ["Google", "推論"]


def test_date_modified_follows_an_edit(client, article):
    later = timezone.now() + datetime.timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(updated_at=later)
    data = jsonld_of(client, Article.objects.get(pk=article.pk))
    assert datetime.datetime.fromisoformat(data["dateModified"]) == later.replace(microsecond=0)


def test_a_scheduled_article_is_never_modified_before_it_was_published(client):
    article = make_article(published_at=timezone.now() - datetime.timedelta(minutes=1))
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - datetime.timedelta(days=1))
    data = jsonld_of(client, article)
    assert data["dateModified"] == data["datePublished"]


def test_authors_are_people_with_their_author_pages_and_the_team_an_organization(client, article):
    data = jsonld_of(client, article)
    authors = {author["name"]: author for author in data["author"]}
    sato, team = article.authors.get(name="佐藤 美咲"), article.authors.get(is_team=True)
    assert authors["佐藤 美咲"] == {"@type": "Person", "name": "佐藤 美咲", "url": "http://testserver" + sato.get_absolute_url()}
    assert authors["ALLFORCES編集部"]["@type"] == "Organization"
    assert authors["ALLFORCES編集部"]["url"] == "http://testserver" + team.get_absolute_url()
    assert client.get(urlsplit(authors["佐藤 美咲"]["url"]).path).status_code == 200


def test_an_article_without_authors_is_credited_to_the_newsroom(client):
    article = make_article(authors=[])
    data = jsonld_of(client, article)
    assert data["author"] == [{"@type": "Organization", "name": "ALLFORCES編集部", "url": "http://testserver/"}]


def test_publisher_is_the_site_with_a_logo_that_exists_and_is_large_enough(client, article):
    publisher = jsonld_of(client, article)["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "ALLFORCES"
    assert publisher["url"] == "http://testserver/"
    logo = publisher["logo"]
    assert logo["@type"] == "ImageObject"
    assert logo["url"].startswith("http://testserver/static/img/logo") and logo["url"].endswith(".png")
    with Image.open(LOGO_FILE) as image:
        assert image.format == "PNG"
        assert (logo["width"], logo["height"]) == image.size
        assert min(image.size) >= 112


@pytest.mark.parametrize("name", sorted(brand.LOGOS))
def test_committed_logos_are_the_blue_square_with_the_white_mark(name):
    side, _wordmark = brand.LOGOS[name]
    with Image.open(Path(django_settings.BASE_DIR) / "static" / "img" / name) as image:
        assert image.format == "PNG" and image.size == (side, side)
        rgba = image.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 0  # rounded corner: transparent
        assert rgba.getpixel((side // 10, side // 2))[:3] == brand.BLUE
        assert any(rgba.getpixel((x, side // 2))[:3] == brand.WHITE for x in range(side))  # the mark


def test_brand_draws_logos_of_the_sizes_it_names(tmp_path):
    for path in brand.write_logos(tmp_path):
        with Image.open(path) as image:
            assert image.size == (brand.LOGOS[path.name][0],) * 2


def test_image_is_a_list_of_image_objects_with_the_share_image(client, article):
    images = jsonld_of(client, article)["image"]
    assert isinstance(images, list) and images
    share = images[0]
    assert share["@type"] == "ImageObject"
    assert share["url"].startswith("http://testserver/og/")
    assert (share["width"], share["height"]) == (1200, 630)
    response = client.get(urlsplit(share["url"]).path)
    assert response.status_code == 200
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (1200, 630)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT, settings.SERVE_MEDIA = tmp_path, True
    return tmp_path


def ratio(image: dict) -> float:
    return round(image["width"] / image["height"], 2)


def test_with_a_cover_the_image_lists_its_16_9_4_3_and_1_1_crops(client, article, media):
    article.cover = make_picture(width=1600, height=900, alt="基板の写真")
    article.save()
    images = jsonld_of(client, article)["image"]
    assert [ratio(image) for image in images] == [1.9, 1.78, 1.33, 1.0]  # share (og:image) first
    share, wide, standard, square = images
    assert (wide["width"], wide["height"]) == (1200, 675)
    assert (standard["width"], standard["height"]) == (1200, 900)
    assert (square["width"], square["height"]) == (900, 900)  # the 900-pixel-high cover's own square: never upscaled
    for image in images:
        assert image["@type"] == "ImageObject" and image["width"] * image["height"] >= 50_000
        assert image["url"].startswith("http://testserver/media/pictures/") and image["url"].endswith(".jpg")
        response = client.get(urlsplit(image["url"]).path)
        assert response.status_code == 200
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as stored:
            assert (stored.format, stored.size) == ("JPEG", (image["width"], image["height"]))


def test_a_cover_whose_renditions_are_not_made_yet_leaves_the_generated_share_image(client, article, media):
    picture = make_picture(width=1600, height=900)
    type(picture).objects.filter(pk=picture.pk).update(renditions={})
    article.cover = picture
    article.save()
    images = jsonld_of(client, article)["image"]
    assert len(images) == 1 and images[0]["url"].startswith("http://testserver/og/")


def test_regenerate_renditions_adds_the_4_3_and_1_1_crops_to_a_cover_made_without_them(client, article, media):
    from io import StringIO

    from django.core.management import call_command

    picture = make_picture(width=1600, height=900)
    older = {crop: rows for crop, rows in picture.renditions.items() if crop in ("card", "share")}
    type(picture).objects.filter(pk=picture.pk).update(renditions=older)  # as renditions made before these crops
    article.cover = picture
    article.save()
    assert [ratio(image) for image in jsonld_of(client, article)["image"]] == [1.9, 1.78]
    call_command("regenerate_renditions", "--missing", stdout=StringIO())
    assert [ratio(image) for image in jsonld_of(client, article)["image"]] == [1.9, 1.78, 1.33, 1.0]


def test_site_url_is_used_for_every_url_when_configured(client, article, settings):
    settings.SITE_URL = "https://allforces.example"
    data = jsonld_of(client, article)
    urls = [data["url"], data["publisher"]["url"], data["publisher"]["logo"]["url"], data["image"][0]["url"]]
    urls += [author["url"] for author in data["author"]]
    assert all(url.startswith("https://allforces.example/") for url in urls), urls


@pytest.mark.parametrize(
    "title",
    ["</script><script>alert(1)</script>", "</SCRIPT ><img src=x onerror=alert(1)>", "<!--<script>", "a & b <c> \u2028 \u2029"],
)
def test_json_ld_cannot_be_broken_out_of(client, title):
    article = make_article(title, authors=[make_author(f"</script>{title}")], tags=["</script>"])
    html = client.get(article.get_absolute_url()).content.decode()
    (payload,) = JSONLD.findall(html)
    assert "<" not in payload and ">" not in payload
    data = json.loads(payload)
    assert data["headline"] == title
    assert data["author"][0]["name"] == f"</script>{title}"
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_a_draft_preview_has_no_publication_date_rather_than_a_null():
    draft = make_article(status=Article.Status.DRAFT)
    request = RequestFactory().get("/")
    html = Template("{% load blog_tags %}{% article_jsonld article %}").render(Context({"article": draft, "request": request}))
    data = json.loads(JSONLD.search(html).group(1))
    assert "datePublished" not in data
    assert data["dateModified"]
    assert None not in data.values()
