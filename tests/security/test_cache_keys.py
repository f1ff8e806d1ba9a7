"""The page cache keys only on what changes a page, so nobody can fill it by varying the URL.

What a page depends on: scheme, the site's own host, the path and the query parameters its view
declares (``cache_parameters``), normalized. Anything else is dropped before the view runs;
search pages are kept only for queries asked for twice, within a budget.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from blog.cache import fragments
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def cache_size() -> int:
    return len(cache._cache)  # the test settings' local-memory cache


def bookkeeping() -> int:
    """The cache-tag indexes and stamps (blog/cache/store.py): one per tag, not per query."""
    return sum(1 for key in cache._cache if ":cache:tag-" in key)


@pytest.fixture
def site():
    articles = [make_article(f"キャッシュ鍵の記事{i}", tags=["LLM", "推論"]) for i in range(3)]
    client = Client()
    for url in ["/", articles[0].get_absolute_url(), "/tags/llm/", "/feed/"]:
        assert client.get(url).status_code == 200  # the pages themselves are kept
    return client, articles


def test_ten_thousand_junk_parameters_grow_the_cache_by_a_small_constant(site):
    client, articles = site
    before = cache_size()
    for n in range(10_000):
        url = ["/", articles[0].get_absolute_url(), "/tags/llm/", "/feed/"][n % 4]
        response = client.get(url, {f"x{n}": str(n), "utm_source": f"campaign{n}"})
        assert response.status_code == 200
    assert cache_size() - before <= 2


def test_junk_parameters_are_served_the_page_without_them(site):
    client, _ = site
    plain = client.get("/")
    junk = client.get("/?x=<script>&page=1&utm_medium=mail")
    assert junk["X-Page-Cache"] == "hit" and junk.content == plain.content


def test_the_page_number_is_normalized():
    for i in range(13):
        make_article(f"ページ送りの記事{i}")
    client = Client()
    assert client.get("/?page=2")["X-Page-Cache"] == "miss"
    assert client.get("/?page=02")["X-Page-Cache"] == "hit"
    assert client.get("/?page=9&page=2&x=1")["X-Page-Cache"] == "hit"  # the last page= wins, as in the view
    assert client.get("/?page=junk").status_code == 404


def test_host_ports_and_wildcard_hosts_are_never_kept(site, settings):
    client, _ = site
    settings.ALLOWED_HOSTS = ["testserver", ".example.jp"]
    before = cache_size()
    for port in range(1000, 1200):
        assert client.get("/", HTTP_HOST=f"testserver:{port}").status_code == 200
        assert client.get("/", HTTP_HOST=f"news{port}.example.jp").status_code == 200
    assert cache_size() == before


def test_only_the_configured_site_host_is_kept(site, settings):
    client, _ = site
    settings.SITE_URL = "https://allforces.example"
    settings.ALLOWED_HOSTS = ["allforces.example", "testserver"]
    assert "X-Page-Cache" not in client.get("/")  # testserver is allowed, but not the site
    assert client.get("/", HTTP_HOST="allforces.example")["X-Page-Cache"] == "miss"
    assert client.get("/", HTTP_HOST="ALLFORCES.example")["X-Page-Cache"] == "hit"


def test_one_off_searches_are_answered_but_not_kept(site):
    client, _ = site
    before = cache_size()
    for n in range(fragments.REPEATED_SEARCHES_KEPT + 300):
        response = client.get("/search/", {"q": f"推論 {n}"})
        assert response.status_code == 200 and "X-Page-Cache" not in response
        if n == 20:
            indexes_early = bookkeeping()
    # One bounded record of the queries seen, the alias table, the count of the one term every
    # query shares (推論, asked again and again by the help a search that found nothing gives),
    # and each found article's card details: bounded by the articles, not by the queries.
    assert cache_size() - before <= 3 + len(site[1]) + bookkeeping()
    # one index (and stamp) per cache tag of what the pages show: none more after the first queries
    assert bookkeeping() == indexes_early
    # Past the budget, a new query is not kept even when repeated.
    for _ in range(3):
        assert "X-Page-Cache" not in client.get("/search/", {"q": "新しい質問"})
    assert client.get("/search/", {"q": "推論 1"})["X-Page-Cache"] == "miss"


def test_views_that_read_no_parameter_ignore_them_and_the_sitemap_keeps_its_page():
    make_article("サイトマップの記事")
    client = Client()
    assert client.get("/sitemap.xml")["X-Page-Cache"] == "miss"
    assert client.get("/sitemap.xml?p=1&x=2")["X-Page-Cache"] == "hit"
    assert client.get("/sitemap.xml?p=2").status_code == 404  # the page number reaches the view


def test_junk_parameters_do_not_grow_a_redis_cache(redis_server):
    import redis
    from django.core.cache import caches
    from django.test import override_settings

    from tests.conftest import redis_cache_settings

    with override_settings(CACHES=redis_cache_settings(redis_server.url)):
        caches.close_all()
        try:
            article = make_article("Redisの記事")
            client = Client()
            client.get("/"), client.get(article.get_absolute_url())
            before = redis.Redis.from_url(redis_server.url).dbsize()
            for n in range(1000):
                url = "/" if n % 2 else article.get_absolute_url()
                assert client.get(url, {f"junk{n}": n}, HTTP_HOST=f"testserver:{1000 + n}").status_code == 200
            assert redis.Redis.from_url(redis_server.url).dbsize() - before <= 2
        finally:
            caches.close_all()
