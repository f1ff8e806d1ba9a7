"""A tag, category or author with no public article does not exist for readers: its page, its
feeds and the sitemap answer as for an unknown slug, and its name appears nowhere."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Article, Tag
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

SECRET = "極秘買収先"


@pytest.fixture
def secret():
    """A category, an author and a tag used only by articles readers may not see yet."""
    category, author = make_category(SECRET + "カテゴリー"), make_author(SECRET + "記者")
    make_article("買収の下書き", status=Article.Status.DRAFT, category=category, authors=[author], tags=[SECRET])
    make_article(
        "予約済みの発表",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + datetime.timedelta(days=1),
        category=category,
        authors=[author],
        tags=[SECRET],
    )
    make_article("公開中の記事", tags=["LLM"])
    return {"category": category, "author": author, "tag": Tag.objects.get(name=SECRET)}


def urls_of(objects):
    return [
        (reverse(name, kwargs={"slug": obj.slug}))
        for kind, obj in objects.items()
        for name in (f"blog:{kind}-detail", f"blog:{kind}-feed", f"blog:{kind}-feed-atom")
    ]


def test_draft_only_tags_categories_and_authors_are_404_without_their_name(secret):
    client = Client()
    for url in urls_of(secret):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET not in response.content.decode()
    unknown = client.get(reverse("blog:tag-detail", kwargs={"slug": "存在しないタグ"}))
    assert unknown.status_code == 404


def test_they_are_not_in_the_sitemap_or_the_navigation(secret):
    client = Client()
    assert SECRET not in client.get(reverse("blog:sitemap")).content.decode()
    assert SECRET not in client.get("/").content.decode()


def test_they_appear_the_moment_an_article_is_public(secret):
    article = Article.objects.get(title="買収の下書き")
    article.status, article.published_at = Article.Status.PUBLISHED, timezone.now() - datetime.timedelta(minutes=1)
    article.save()
    client = Client()
    for url in urls_of(secret):
        assert client.get(url).status_code == 200, url
    assert SECRET in client.get(reverse("blog:tag-detail", kwargs={"slug": secret["tag"].slug})).content.decode()


def test_a_tag_page_costs_the_same_queries_whatever_the_data(settings):
    settings.FRAGMENT_CACHE_SECONDS = settings.PAGE_CACHE_SECONDS = 0

    def queries_for_tag_page():
        slug = Tag.objects.get(name="GPU").slug
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(reverse("blog:tag-detail", kwargs={"slug": slug})).status_code == 200
        return len(captured)

    make_article("タグの記事", tags=["GPU"])
    small = queries_for_tag_page()
    for i in range(10):
        make_article(f"タグの記事{i}", tags=["GPU", f"別{i}"])
        make_article(f"タグの下書き{i}", tags=["GPU"], status=Article.Status.DRAFT)
    assert queries_for_tag_page() == small
