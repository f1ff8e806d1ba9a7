"""A small, seeded fuzz of the public URL space: random paths, query strings, Hosts and methods.

Whatever arrives, the answer is never a 5xx, and the cache holds no more than the real pages
(plus a few bookkeeping entries), however many distinct requests were made.
"""

import random
import string
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

SEED = 20_160_116
REQUESTS = 1500
METHODS = ["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
HOSTS = ["testserver", "testserver", "testserver:80", "TESTSERVER", "testserver:9", "evil.example", "", "bad host",
         "[::1]", "testserver:", "xn--eckwd4c7c.example", "テスト.example", "a" * 300, "testserver\r\nX: y"]  # fmt: skip
NASTY = ["", "0", "-1", "1e9", "9" * 40, "%00", "\x00", "\u202e", "<script>", "'\"", "../..", "🙂", "ａｂｃ", "\ud800",
         "%ff%fe", "&", "=", "#", "null", "[]", "{{7*7}}", "%(x)s", " " * 50, "推論" * 80]  # fmt: skip
PARAMETERS = ["page", "q", "utm_source", "fbclid", "x", "page[]", "Q", "slug", "next", "format", ""]


def random_text(rng: random.Random, limit: int = 12) -> str:
    alphabet = string.ascii_letters + string.digits + "-_.~%/?&=+;:@!$'()*, " + "推論記事ＡＩ\t\x01\x7f"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, limit)))


def random_query(rng: random.Random) -> dict:
    return {
        rng.choice(PARAMETERS) or random_text(rng, 5): rng.choice(NASTY + [random_text(rng)])
        for _ in range(rng.randint(0, 4))
    }


@pytest.fixture
def site():
    articles = [make_article(f"ファズ対象の記事{i}", tags=["LLM", "推論"]) for i in range(3)]
    article = articles[0]
    make_user("chief", is_superuser=True)
    return [
        "/", "/search/", "/feed/", "/feed/atom/", "/sitemap.xml", "/robots.txt", "/healthz", "/archive/",
        article.get_absolute_url(), article.category.get_absolute_url(), article.authors.first().get_absolute_url(),
        article.tags.first().get_absolute_url(), article.get_absolute_url() + "feed/", "/tags/llm/feed/",
        "/editorial/share/not-a-token/", "/admin/login/", "/markdownx/markdownify/", "/media/../settings.py",
    ]  # fmt: skip


def wire(query: dict) -> str:
    """The query string as it travels: UTF-8 (lone surrogates too), percent-encoded, or raw ASCII."""
    def encode(value):
        return quote(value.encode("utf-8", "surrogatepass"), safe="%&=+;")
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in query.items())


def mutate(rng: random.Random, path: str) -> str:
    choice = rng.randrange(6)
    if choice == 0:
        return path
    if choice == 1:
        return path + random_text(rng)
    if choice == 2:
        return path.rstrip("/")
    if choice == 3:
        return path + rng.choice(NASTY).replace("\ud800", "%ed%a0%80") + "/"
    if choice == 4:
        return "/" + "/".join(random_text(rng, 6) for _ in range(rng.randint(1, 4)))
    return path.replace("/", "//", 1)


def test_random_requests_never_answer_5xx_and_keep_the_cache_bounded(site):
    rng = random.Random(SEED)
    client = Client(raise_request_exception=False)
    for path in site:  # the real pages, kept once
        client.get(path)
    before = len(cache._cache)
    failures = []
    for _ in range(REQUESTS):
        method = rng.choice(METHODS)
        path = mutate(rng, rng.choice(site))
        host = rng.choice(HOSTS)
        query = random_query(rng)
        try:
            response = client.generic(method, path, data="", HTTP_HOST=host, QUERY_STRING=wire(query))
        except UnicodeError:  # the test client itself cannot encode some paths; no server would receive them
            continue
        if response.status_code >= 500:
            failures.append((method, host, path, query, response.status_code))
    assert not failures, failures[:5]
    # A page may be kept per real path and page number; nothing for junk, hosts or methods.
    assert len(cache._cache) - before <= 2 * len(site) + 5


@pytest.mark.parametrize("path", ["/tags/llm/%00/", "/articles/%00", "/%00.html"])
def test_a_nul_in_an_unknown_path_is_a_404(site, path):
    # Found by the fuzz: the old-address lookup once sent the NUL to PostgreSQL.
    assert Client(raise_request_exception=False).get(path).status_code == 404
