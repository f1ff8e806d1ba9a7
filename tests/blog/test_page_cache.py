"""The page cache in front of the stack: kept pages are plain data answered before sessions,
locale and authentication, with the security headers of a full response, 304s from the kept
ETag, gzip per Accept-Encoding, and nothing kept for staff."""

import gzip

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from blog.cache import middleware, store
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = [
    "Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy",
    "Cross-Origin-Opener-Policy", "X-Frame-Options", "Content-Language",
]  # fmt: skip


@pytest.fixture
def article():
    return make_article("キャッシュの記事", body="本文です。" * 200)


def test_a_hit_carries_the_security_headers_of_a_miss(client, article, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    url = article.get_absolute_url()
    miss = client.get(url, secure=True)
    hit = client.get(url, secure=True)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for name in SECURITY_HEADERS:
        if name in miss:
            assert hit.get(name) == miss[name], name
    assert "Content-Security-Policy" in hit and "Strict-Transport-Security" in hit


def test_a_page_is_kept_as_plain_data_not_a_response_object(client, article):
    client.get("/")
    page = store.get(middleware.page_key(RequestFactory().get("/")))
    assert isinstance(page, tuple)
    assert all(isinstance(part, (int, float, str, bytes, list, tuple, type(None))) for part in page)


def test_a_hit_runs_no_session_authentication_or_locale_middleware(client, article, monkeypatch):
    client.get("/")
    from django.contrib.sessions.middleware import SessionMiddleware

    def fail(*args, **kwargs):
        raise AssertionError("the session middleware ran on a hit")

    monkeypatch.setattr(SessionMiddleware, "process_request", fail)
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_a_session_cookie_never_gets_a_kept_page(client, article):
    client.get("/"), client.get("/")
    staff = Client()
    staff.force_login(make_user("editor"))
    response = staff.get("/")
    assert "X-Page-Cache" not in response and "private" in response["Cache-Control"]
    # any session cookie at all (a stale one too) goes the full way
    stranger = Client()
    stranger.cookies["sessionid"] = "stale"
    assert "X-Page-Cache" not in stranger.get("/")


def test_if_none_match_is_answered_304_from_the_kept_etag(client, article):
    url = article.get_absolute_url()
    first = client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    not_modified = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"] and not_modified["X-Page-Cache"] == "hit"
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_conditional_first_request_is_kept_and_answered(client, article):
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]
    cache.clear()
    response = client.get(url, headers={"If-None-Match": etag})
    assert (response.status_code, response["X-Page-Cache"]) == (304, "miss")
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_gzip_is_served_to_readers_that_accept_it_and_varies_by_accept_encoding(client, article):
    url = article.get_absolute_url()
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert zipped["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 2
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert zipped["ETag"] != plain["ETag"]
    assert client.get(url, headers={"Accept-Encoding": "gzip;q=0"}).get("Content-Encoding") is None
    assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped["ETag"]}).status_code == 304


def test_head_is_answered_from_the_kept_page_without_a_body(client, article):
    url = article.get_absolute_url()
    get = client.get(url)
    head = client.head(url)
    assert head["X-Page-Cache"] == "hit" and head.content == b""
    assert int(head["Content-Length"]) == len(get.content)


def test_accept_language_does_not_split_a_japanese_only_site(client, article):
    client.get("/", headers={"Accept-Language": "en-US"})
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert response["X-Page-Cache"] == "hit" and response["Content-Language"] == "ja"
    assert "Accept-Language" not in response["Vary"]


def test_an_entry_rendered_before_an_invalidation_is_not_kept():
    started = store.generation()
    store.invalidate(["article:1"])  # while the render was reading the database
    assert store.keep("page:x", b"old", ["article:1", "articles"], 60, started) is False
    assert store.get("page:x") is None
    assert store.keep("page:y", b"new", ["article:1"], 60, store.generation()) is True
    store.invalidate(["articles"])
    assert store.get("page:y") == b"new"  # not indexed under it
    store.invalidate(["article:1"])
    assert store.get("page:y") is None


def test_the_tag_index_works_the_same_on_redis(redis_server, settings):
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": redis_server.url}}
    assert store._redis() is not None
    started = store.generation()
    assert store.keep("page:a", ("a",), ["article:1", "articles"], 60, started)
    assert store.keep("page:b", ("b",), ["article:2", "articles"], 60, started)
    assert store.get_many(["page:a", "page:b", store.GENERATION_KEY])["page:a"] == ("a",)
    generation = store.invalidate(["article:1"])
    assert generation > started and store.get("page:a") is None and store.get("page:b") == ("b",)
    assert store.keep("page:a", ("old",), ["article:1"], 60, started) is False  # rendered before the change
    store.invalidate(["articles"])
    assert store.get("page:b") is None
