"""The number of SQL queries per page stays the same as content grows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import caching
from blog.models import Article, Tag, TaggedArticle
from tests.factories import make_author, make_category, make_series

pytestmark = pytest.mark.django_db

TAGS = [f"タグ{n}" for n in range(8)] + ["LLM", "推論"]


def build_site(count, prefix):
    categories = [make_category(f"{prefix}カテゴリー{n}") for n in range(3)]
    authors = [make_author(f"{prefix}著者{n}") for n in range(4)]
    now = timezone.now()
    for number in range(count):
        article = Article.objects.create(
            title=f"記事{number}",
            body="## 見出し\n\n本文です。",
            excerpt="抜粋です。",
            category=categories[number % 3],
            status=Article.Status.PUBLISHED,
            published_at=now - datetime.timedelta(minutes=number + 1),
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
        "search": "/search/?q=本文",
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


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES = [
    "/", "article", "tag", "category", "author", "search", "archive", "feed.json", "tag feed.json", "news sitemap",
    "tags", "tags-by-name", "categories", "authors", "series", "series-index", "article-in-series",
]  # fmt: skip
# Queries of a page rendered with nothing kept; an article in a series reads its series' list too.
BUDGET = {"article-in-series": 9}


@pytest.mark.parametrize("page", PAGES)
def test_queries_per_page_do_not_grow_with_content(client, page):
    small = count_queries(client, build_site(5, "小")[page])
    Article.objects.all().delete()
    large = count_queries(client, build_site(200, "大")[page])
    assert small == large
    assert large <= BUDGET.get(page, 8)


@pytest.mark.parametrize("page", ["tags", "tags-by-name"])
def test_tag_index_queries_do_not_grow_with_the_number_of_tags(client, page):
    url = build_site(3, "小")[page]
    small = count_queries(client, url)
    tags = Tag.objects.bulk_create([Tag(name=f"索引{n:04d}", slug=f"index-{n:04d}") for n in range(2000)])
    article = Article.objects.first()
    TaggedArticle.objects.bulk_create([TaggedArticle(content_object=article, tag=tag) for tag in tags])
    caching.bump_version()  # bulk_create sends no signal: make the kept page stale by hand
    assert count_queries(client, url) == small
    assert "#索引1999" in client.get(url).content.decode()
