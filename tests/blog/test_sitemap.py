from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Article, Redirect, Tag
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS) for url in root.findall("s:url", NS)}


def test_sitemap_lists_published_articles_with_lastmod_and_their_list_pages(client):
    llm = make_category("LLM")
    empty = make_category("空のカテゴリー")
    writer = make_author("佐藤 美咲")
    ghost = make_author("下書きだけの著者")
    article = make_article("推論コストの下げ方", category=llm, authors=[writer], tags=["推論"])
    make_article("下書き", category=empty, authors=[ghost], tags=["下書きタグ"], status=Article.Status.DRAFT)
    make_article("予約", category=empty, authors=[ghost], published_at=timezone.now() + datetime.timedelta(days=1))

    entries = sitemap_entries(client)
    base = "http://testserver"
    assert entries[base + article.get_absolute_url()] == timezone.localtime(max(article.updated_at, article.published_at)).date().isoformat()
    assert base + llm.get_absolute_url() in entries
    assert base + writer.get_absolute_url() in entries
    assert base + Tag.objects.get(name="推論").get_absolute_url() in entries
    assert base + reverse("blog:article-list") in entries
    for hidden in [empty.get_absolute_url(), ghost.get_absolute_url(), Tag.objects.get(name="下書きタグ").get_absolute_url()]:
        assert base + hidden not in entries
    assert not any("下書き" in loc or "予約" in loc for loc in entries)
    assert len(entries) == 8  # and the three index pages


def test_sitemap_uses_site_url_when_configured(client, settings):
    settings.SITE_URL = "https://allforces.example"
    article = make_article()
    assert "https://allforces.example" + article.get_absolute_url() in sitemap_entries(client)


def test_robots_txt_names_the_sitemap(client, settings):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body
    settings.SITE_URL = "https://allforces.example"
    cache.clear()  # settings are fixed for a process's life; the page cache knows nothing of this change
    assert "Sitemap: https://allforces.example/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_search_results_and_pages_past_the_last_are_noindex(client):
    make_article("推論の話")
    assert b'content="noindex' in client.get(reverse("blog:search"), {"q": "推論"}).content
    past = client.get(reverse("blog:article-list"), {"page": 99})
    assert past.status_code == 404
    assert b'<meta name="robots" content="noindex">' in past.content


def test_empty_list_pages_are_404_and_full_ones_are_canonical(client):
    full, empty = make_category("LLM"), make_category("空")
    make_article(category=full)
    page = client.get(full.get_absolute_url()).content.decode()
    assert "noindex" not in page
    assert f'<link rel="canonical" href="http://testserver{full.get_absolute_url()}">' in page
    # A category without a public article does not exist for readers (tests/security/test_private_taxonomy.py).
    assert client.get(empty.get_absolute_url()).status_code == 404
    archive = client.get(reverse("blog:archive-index")).content.decode()
    assert '<link rel="canonical" href="http://testserver/archive/">' in archive


class TestRedirects:
    def test_old_jekyll_url_answers_301_to_the_article(self, client):
        article = make_article(slug="llm-inference")
        Redirect.objects.create(old_path="/ai/2024/05/01/llm-inference.html", article=article)
        response = client.get("/ai/2024/05/01/llm-inference.html")
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()

    def test_japanese_old_path_is_matched(self, client):
        article = make_article()
        Redirect.objects.create(old_path="/ai技術ガイド/2025/12/15/推論.html", article=article)
        response = client.get("/ai%E6%8A%80%E8%A1%93%E3%82%AC%E3%82%A4%E3%83%89/2025/12/15/%E6%8E%A8%E8%AB%96.html")
        assert response.status_code == 301

    @pytest.mark.parametrize("requested", ["/old/post/", "/old/post", "/old/post/index.html"])
    def test_pretty_urls_match_with_or_without_slash_and_index(self, client, requested):
        article = make_article()
        Redirect.objects.create(old_path="/old/post/", article=article)
        assert client.get(requested)["Location"] == article.get_absolute_url()

    def test_redirect_to_a_url(self, client):
        Redirect.objects.create(old_path="/about.html", target_url="/archive/")
        assert client.get("/about.html")["Location"] == "/archive/"

    def test_redirect_to_an_unpublished_article_stays_404(self, client):
        draft = make_article(status=Article.Status.DRAFT)
        Redirect.objects.create(old_path="/secret.html", article=draft)
        assert client.get("/secret.html").status_code == 404

    def test_live_pages_never_look_up_redirects(self, client):
        Redirect.objects.create(old_path="/robots.txt", target_url="/elsewhere/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/robots.txt").status_code == 200
        assert not any("blog_redirect" in query["sql"] for query in captured)

    def test_a_miss_costs_one_query(self, client, django_assert_num_queries):
        # One for the redirect table, one for the 404 page's navigation and, the cache being
        # empty, one for the next scheduled publication (the navigation is then remembered).
        with django_assert_num_queries(3):
            assert client.get("/no/such/page.html").status_code == 404

    def test_redirect_needs_exactly_one_target(self):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            Redirect(old_path="/x.html").full_clean()
        with pytest.raises(ValidationError):
            Redirect(old_path="x.html", target_url="/y/").full_clean()

    def test_editors_can_add_redirects_in_the_admin(self, admin_client):
        article = make_article()
        response = admin_client.post(
            reverse("admin:blog_redirect_add"), {"old_path": "/2019/01/01/old.html", "article": article.pk, "target_url": ""}
        )
        assert response.status_code == 302, response.content[:2000]
        assert admin_client.get(reverse("admin:blog_redirect_changelist")).status_code == 200
        assert admin_client.get("/2019/01/01/old.html")["Location"] == article.get_absolute_url()
