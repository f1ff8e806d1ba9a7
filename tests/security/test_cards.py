"""Previews and share links show related articles as the public page does — full cards — and
nothing they render is ever kept where anonymous readers would be served it."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import sharing
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    related = [make_article(f"関連する公開記事{i}", tags=["LLM", "推論"]) for i in range(3)]
    draft = make_article("審査中の特ダネ", status=Article.Status.IN_REVIEW, tags=["LLM", "推論"])
    token = sharing.make_token(draft, expires_at=timezone.now() + datetime.timedelta(days=1))
    return {"related": related, "draft": draft, "share_url": reverse("editorial:shared-preview", args=[token])}


def related_section(page: str) -> str:
    match = re.search(r'<section class="related".*?</section>', page, re.S)
    assert match, "no related articles shown"
    return match.group()


def assert_full_cards(section: str, articles):
    assert '<a href=""' not in section
    for article in articles:
        assert article.title in section and article.get_absolute_url() in section
    assert section.count("<time") >= len(articles)  # each card's date
    assert section.count("分で読めます") >= len(articles)  # and reading time


def test_staff_preview_shows_full_related_cards(client, newsroom):
    client.force_login(make_user("chief", is_superuser=True))
    page = client.get(reverse("admin:blog_article_preview", args=[newsroom["draft"].pk])).content.decode()
    assert_full_cards(related_section(page), newsroom["related"])


def test_share_link_shows_full_related_cards(newsroom):
    page = Client().get(newsroom["share_url"]).content.decode()
    assert_full_cards(related_section(page), newsroom["related"])


@pytest.mark.parametrize("page_cache", [True, False], ids=["page-cache", "fragments-only"])
@pytest.mark.parametrize("visitor", ["share-link", "staff-preview", "staff-reading"])
def test_what_previews_and_staff_render_never_reaches_anonymous_readers(newsroom, settings, page_cache, visitor):
    if not page_cache:
        settings.PAGE_CACHE_SECONDS = 0
    public_urls = ["/", "/tags/llm/", newsroom["related"][0].get_absolute_url()]
    reference = {url: Client().get(url).content for url in public_urls}  # rendered from nothing kept
    cache.clear()

    if visitor == "share-link":
        Client().get(newsroom["share_url"])
    else:
        staff = Client()
        staff.force_login(make_user("editor", is_superuser=True))
        if visitor == "staff-preview":
            staff.get(reverse("admin:blog_article_preview", args=[newsroom["draft"].pk]))
        else:
            for url in public_urls:
                staff.get(url)

    for url in public_urls:
        assert Client().get(url).content == reference[url], url
