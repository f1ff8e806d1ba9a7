"""The number of SQL queries per page stays the same as content grows."""

import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django.core.cache import cache
from blog.models import Article, Tag, TaggedArticle
from tests.factories import make_author, make_category, make_picture, make_series

pytestmark = pytest.mark.django_db

TAGS = [f"タグ{n}" for n in range(8)] + ["LLM", "推論"]


@pytest.fixture
def pictures(settings, tmp_path):
    """One cover for every article and one photo for every author, with real renditions."""
    settings.MEDIA_ROOT = tmp_path
    return {"cover": make_picture(), "photo": make_picture("portrait", width=400, height=400, alt="著者の写真")}


def build_site(count, prefix, pictures):
    categories = [make_category(f"{prefix}カテゴリー{n}") for n in range(3)]
    authors = [make_author(f"{prefix}著者{n}", photo=pictures["photo"], role="記者") for n in range(4)]
    now = timezone.now()
    for number in range(count):
        article = Article.objects.create(
            title=f"記事{number}",
            body="## 見出し\n\n本文です。",
            excerpt="抜粋です。",
            category=categories[number % 3],
            status=Article.Status.PUBLISHED,
            published_at=now - datetime.timedelta(minutes=number + 1),
            cover=pictures["cover"],
        )
        article.authors.set(authors[: 1 + number % 3])
        article.tags.set(TAGS)
    first = Article.objects.order_by("published_at").first()
    # Every article but the oldest in one of three series: a series box lists its whole series.
    chronological = list(Article.objects.order_by("published_at"))
    series = [make_series(f"{prefix}連載{n}", articles=chronological[1:][n::3]) for n in range(3)]
    return {
        "/": "/",
        "article": first.get_absolute_url(),
        "tag": "/tags/llm/",
        "category": categories[0].get_absolute_url(),
        "author": authors[0].get_absolute_url(),
        "search": "/search/?" + urlencode({"q": "本文"}),
        "search_filtered": "/search/?"
        + urlencode(
            {
                "q": "本文 見出し",
                "sort": "new",
                "category": categories[0].slug,
                "tag": "llm",
                "author": authors[0].slug,
                # the search reads dates in Japan time, which is a day ahead of UTC from 15:00 UTC
                "from": timezone.localdate(now - datetime.timedelta(days=30)).isoformat(),
                "to": timezone.localdate(now).isoformat(),
            }
        ),
        "archive": f"/archive/{now.year}/",
        "tags": "/tags/",
        "tags-by-name": "/tags/?order=name",
        "categories": "/categories/",
        "authors": "/authors/",
        "feed.json": "/feed.json",
        "tag feed.json": "/tags/llm/feed.json",
        "news sitemap": "/sitemap-news.xml",
        "series": series[0].get_absolute_url(),
        "series-index": "/series/",
        "article-in-series": chronological[len(chronological) // 2].get_absolute_url(),
    }


# Index pages list series, tags, categories and authors by name, not articles with covers.
WITHOUT_RENDITIONS = {"/series/", "/tags/", "/tags/?order=name", "/categories/", "/authors/"}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    if response["Content-Type"].startswith("text/html") and url not in WITHOUT_RENDITIONS:
        assert b"<picture" in response.content, url  # covers (or the author's photo) are on the page
    assert "見つかりませんでした" not in response.content.decode(), url  # a search page with results
    return len(captured)


PAGES = [
    "/", "article", "tag", "category", "author", "search", "search_filtered", "archive",
    "feed.json", "tag feed.json", "news sitemap", "tags", "tags-by-name", "categories", "authors",
    "series", "series-index", "article-in-series",
]  # fmt: skip
# Queries of a page rendered with nothing kept. An article in a series reads its series' list
# too; a search reads the alias table and ranks its capped result set (one query each), and a
# filtered one looks up its filters' names.
BUDGET = {"article-in-series": 9, "search": 9, "search_filtered": 10}


@pytest.mark.parametrize("page", PAGES)
def test_queries_per_page_do_not_grow_with_content(client, page, pictures):
    small = count_queries(client, build_site(5, "小", pictures)[page])
    Article.objects.all().delete()
    cache.clear()  # measured cold: nothing kept (the alias table, say, outlives the delete)
    large = count_queries(client, build_site(200, "大", pictures)[page])
    assert small == large
    assert large <= BUDGET.get(page, 8)


@pytest.mark.parametrize("page", ["tags", "tags-by-name"])
def test_tag_index_queries_do_not_grow_with_the_number_of_tags(client, page, pictures):
    url = build_site(3, "小", pictures)[page]
    small = count_queries(client, url)
    tags = Tag.objects.bulk_create([Tag(name=f"索引{n:04d}", slug=f"index-{n:04d}") for n in range(2000)])
    article = Article.objects.first()
    TaggedArticle.objects.bulk_create([TaggedArticle(content_object=article, tag=tag) for tag in tags])
    cache.clear()  # bulk_create sends no signal; and the page is measured cold, as before
    assert count_queries(client, url) == small
    assert "#索引1999" in client.get(url).content.decode()
