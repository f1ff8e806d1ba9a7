"""``/sitemap-news.xml``: the Google News sitemap of the last 48 hours' articles."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from blog.models import Article
from blog.sitemaps import NEWS_LIMIT
from tests.factories import make_article

pytestmark = pytest.mark.django_db

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP, "news": NEWS}
# W3C Datetime (complete date plus hours, minutes and seconds, optional fraction) with a time zone.
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def news_shape_problems(root) -> list[str]:
    """How ``root`` departs from the shape of a Google News sitemap: ``urlset`` of ``url`` each with
    one ``loc`` and one ``news:news`` holding ``news:publication`` (``news:name``, ``news:language``),
    ``news:publication_date`` and ``news:title``, and nothing else."""
    problems = []
    if root.tag != tag(SITEMAP, "urlset"):
        return [f"root is {root.tag}, not urlset"]
    for index, url in enumerate(root):
        where = f"url {index}"
        if url.tag != tag(SITEMAP, "url"):
            problems.append(f"{where}: {url.tag} in urlset")
            continue
        children = [child.tag for child in url]
        if children != [tag(SITEMAP, "loc"), tag(NEWS, "news")]:
            problems.append(f"{where}: children {children}")
            continue
        news = url.find("news:news", NS)
        if [child.tag for child in news] != [tag(NEWS, n) for n in ("publication", "publication_date", "title")]:
            problems.append(f"{where}: news:news children {[child.tag for child in news]}")
            continue
        publication = news.find("news:publication", NS)
        if [child.tag for child in publication] != [tag(NEWS, "name"), tag(NEWS, "language")]:
            problems.append(f"{where}: news:publication children {[child.tag for child in publication]}")
        for element in url.iter():
            if len(element) == 0 and not (element.text or "").strip():
                problems.append(f"{where}: {element.tag} is empty")
        if not W3C_DATETIME.match(news.findtext("news:publication_date", "", NS)):
            problems.append(f"{where}: publication_date is not W3C Datetime")
        if not url.findtext("s:loc", "", NS).startswith(("http://", "https://")):
            problems.append(f"{where}: loc is not absolute")
    return problems


def news_sitemap(client):
    response = client.get(reverse("blog:sitemap-news"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert news_shape_problems(root) == []
    return response, root


def entries(root) -> dict:
    return {
        url.findtext("s:loc", namespaces=NS): {
            "name": url.findtext("news:news/news:publication/news:name", namespaces=NS),
            "language": url.findtext("news:news/news:publication/news:language", namespaces=NS),
            "date": url.findtext("news:news/news:publication_date", namespaces=NS),
            "title": url.findtext("news:news/news:title", namespaces=NS),
        }
        for url in root.findall("s:url", NS)
    }


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def test_shape_check_catches_a_missing_title_and_a_bad_date():
    good = (
        f'<urlset xmlns="{SITEMAP}" xmlns:news="{NEWS}"><url><loc>https://a.example/x/</loc><news:news>'
        "<news:publication><news:name>A</news:name><news:language>ja</news:language></news:publication>"
        "<news:publication_date>2025-04-01T09:30:00+09:00</news:publication_date><news:title>T</news:title>"
        "</news:news></url></urlset>"
    )
    assert news_shape_problems(ET.fromstring(good)) == []
    assert news_shape_problems(ET.fromstring(good.replace("<news:title>T</news:title>", "")))
    assert news_shape_problems(ET.fromstring(good.replace("2025-04-01T09:30:00+09:00", "2025-04-01 09:30")))
    assert news_shape_problems(ET.fromstring(good.replace("<news:name>A</news:name>", "<news:name></news:name>")))


def test_lists_articles_of_the_last_48_hours_with_publication_date_and_title(client):
    fresh = make_article("速報：新しい推論チップ", published_at=ago(hours=2))
    day_old = make_article("昨日のまとめ", published_at=ago(hours=30))
    make_article("三日前の記事", published_at=ago(hours=49))
    _, root = news_sitemap(client)
    found = entries(root)
    base = "http://testserver"
    assert list(found) == [base + fresh.get_absolute_url(), base + day_old.get_absolute_url()]
    entry = found[base + fresh.get_absolute_url()]
    assert entry == {
        "name": "ALLFORCES",
        "language": "ja",
        "date": timezone.localtime(fresh.published_at).isoformat(timespec="seconds"),
        "title": "速報：新しい推論チップ",
    }
    assert entry["date"].endswith("+09:00")
    assert datetime.datetime.fromisoformat(entry["date"]) == fresh.published_at.replace(microsecond=0)


def test_unpublished_articles_are_absent(client):
    make_article("公開済み", published_at=ago(hours=1))
    make_article("下書き", status=Article.Status.DRAFT)
    make_article("レビュー中", status=Article.Status.IN_REVIEW)
    make_article("予約", status=Article.Status.SCHEDULED, published_at=timezone.now() + datetime.timedelta(hours=3))
    make_article("アーカイブ", status=Article.Status.ARCHIVED, published_at=ago(hours=1))
    _, root = news_sitemap(client)
    assert [entry["title"] for entry in entries(root).values()] == ["公開済み"]


def test_publication_name_follows_the_site_name_setting(client, settings):
    settings.SITE_NAME = "ALLFORCES ニュース"
    make_article()
    _, root = news_sitemap(client)
    assert {entry["name"] for entry in entries(root).values()} == {"ALLFORCES ニュース"}


def test_an_empty_news_sitemap_is_still_a_urlset(client):
    _, root = news_sitemap(client)
    assert len(root) == 0


def test_hostile_titles_stay_well_formed_xml(client):
    make_article("</news:title><script>alert(1)</script> & ]]> \x0b制御\ufffe", published_at=ago(minutes=5))
    response, root = news_sitemap(client)
    (entry,) = entries(root).values()
    assert entry["title"] == "</news:title><script>alert(1)</script> & ]]> 制御"
    assert b"<script>" not in response.content


def test_at_most_the_limit_newest_first(client, settings, monkeypatch):
    monkeypatch.setattr("blog.sitemaps.NEWS_LIMIT", 3)
    monkeypatch.setattr("blog.sitemaps.NewsSitemap.limit", 3)
    for minutes in range(5):
        make_article(f"記事{minutes}", published_at=ago(minutes=minutes + 1))
    _, root = news_sitemap(client)
    assert [entry["title"] for entry in entries(root).values()] == ["記事0", "記事1", "記事2"]
    assert NEWS_LIMIT == 1000


def test_site_url_is_used_when_configured(client, settings):
    settings.SITE_URL = "https://allforces.example"
    article = make_article()
    _, root = news_sitemap(client)
    assert list(entries(root)) == ["https://allforces.example" + article.get_absolute_url()]


def test_last_modified_follows_the_newest_change(client):
    make_article(published_at=ago(hours=5))
    article = make_article(published_at=ago(hours=1))
    response, _ = news_sitemap(client)
    assert response["Last-Modified"] == http_date(max(article.updated_at, article.published_at).timestamp())


@pytest.mark.parametrize("query", ["?p=2", "?p=abc", "?p=" + "9" * 40, "?x=%00"])
def test_query_strings_never_break_it(client, query):
    make_article()
    response = client.get(reverse("blog:sitemap-news") + query)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert news_shape_problems(ET.fromstring(response.content)) == []


def test_robots_txt_names_the_news_sitemap_next_to_the_sitemap(client, settings):
    body = client.get("/robots.txt").content.decode()
    lines = body.splitlines()
    assert lines.index("Sitemap: http://testserver/sitemap-news.xml") == lines.index("Sitemap: http://testserver/sitemap.xml") + 1
    settings.SITE_URL = "https://allforces.example"
    cache.clear()
    assert "Sitemap: https://allforces.example/sitemap-news.xml" in client.get("/robots.txt").content.decode()
