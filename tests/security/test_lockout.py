"""A login lock-out holds however full the cache gets: counts and locks live in the database.

The cache here is a Redis run as compose runs it (``allkeys-lru``) with 2 MB of memory, flooded
with pages and junk until it has evicted thousands of keys.
"""

import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings

from tests.conftest import redis_cache_settings
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db(transaction=True)
LOGIN = "/admin/login/"


def attempt(username, password, address="203.0.113.5"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def flood(client, articles, n=3000):
    """Fill the cache: pages under every key the site will keep, then big junk values."""
    from django.core.cache import cache

    for i in range(n):
        client.get(articles[i % len(articles)].get_absolute_url(), {"x": str(i)})
        cache.set(f"flood:{i}", "埋" * 4000, 600)


@pytest.fixture
def lru_cache(small_lru_redis_server):
    with override_settings(CACHES=redis_cache_settings(small_lru_redis_server.url)):
        caches.close_all()
        yield redis.Redis.from_url(small_lru_redis_server.url)
    caches.close_all()


def test_account_lock_survives_cache_eviction(lru_cache):
    make_user("chief")
    articles = [make_article(f"洪水の記事{i}") for i in range(5)]
    for _ in range(5):
        assert attempt("chief", "wrong-password").status_code == 200
    flood(Client(), articles)
    assert int(lru_cache.info("stats")["evicted_keys"]) > 1000  # the cache really was under pressure
    response = attempt("chief", "pw-chief", address="198.51.100.9")
    assert response.status_code == 200
    assert "このアカウントは一時的にロックされています" in response.content.decode()


def test_failure_counts_survive_cache_eviction(lru_cache):
    make_user("chief")
    articles = [make_article("洪水の記事")]
    for _ in range(4):
        attempt("chief", "wrong-password")
    flood(Client(), articles, n=1500)
    assert int(lru_cache.info("stats")["evicted_keys"]) > 0
    attempt("chief", "wrong-password")  # the fifth
    assert "このアカウントは一時的にロックされています" in attempt("chief", "pw-chief").content.decode()
