"""The read-only Content API (/api/v1/): published content only, cursor pagination that new
articles cannot shift, filters, hostile input answered with 400 JSON, ETag/304 from the content
version, CORS for configured origins, a per-address rate limit, a valid OpenAPI document, and
a constant number of queries per request."""

import base64
import datetime
import json
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate

from blog.models import Article
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

API = "/api/v1"
ORIGIN = "https://app.allforces.example"


@pytest.fixture
def api():
    return Client()


def get_json(client, url, status=200, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def slugs(document):
    return [item["slug"] for item in document["items"]]


def hours_ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


def walk(client, url):
    """Every item of a paginated list, following ``next``; and how many pages that took."""
    items, pages = [], 0
    while url:
        document = get_json(client, url)
        items += document["items"]
        pages += 1
        url = document["next"]
        assert (url is None) == (document["next_cursor"] is None)
    return items, pages


def raw_cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# -- Visibility -------------------------------------------------------------------------


def test_only_published_articles_are_listed(api):
    make_article("公開中の記事", slug="public")
    make_article("下書きの記事", slug="draft", status=Article.Status.DRAFT)
    make_article("レビュー中の記事", slug="review", status=Article.Status.IN_REVIEW)
    make_article("予約の記事", slug="later", status=Article.Status.SCHEDULED, published_at=timezone.now() + datetime.timedelta(hours=1))
    make_article("予約時刻を過ぎた記事", slug="due", status=Article.Status.SCHEDULED, published_at=hours_ago(2))
    make_article("未来日付の公開記事", slug="future", published_at=timezone.now() + datetime.timedelta(days=1))
    assert slugs(get_json(api, f"{API}/articles/")) == ["public", "due"]


@pytest.mark.parametrize(
    "status, offset",
    [
        (Article.Status.DRAFT, -1),
        (Article.Status.IN_REVIEW, -1),
        (Article.Status.CHANGES_REQUESTED, -1),
        (Article.Status.ARCHIVED, -1),
        (Article.Status.SCHEDULED, +1),
        (Article.Status.PUBLISHED, +1),
    ],
)
def test_an_article_readers_cannot_see_is_a_json_404(api, status, offset):
    article = make_article("見えない記事", status=status, published_at=timezone.now() + datetime.timedelta(hours=offset))
    document = get_json(api, f"{API}/articles/{article.slug}/", status=404)
    assert document["error"]["code"] == "not_found"
    assert document["error"]["message"] == "記事が見つかりません。"


def test_a_scheduled_article_appears_when_its_time_comes(api):
    due = timezone.now() + datetime.timedelta(minutes=30)
    make_article("予約投稿", slug="scheduled", status=Article.Status.SCHEDULED, published_at=due)
    first = api.get(f"{API}/articles/")
    assert slugs(first.json()) == []
    with mock.patch("django.utils.timezone.now", return_value=due + datetime.timedelta(seconds=1)):
        # The client's ETag is stale the moment the article is due, without any save.
        later = api.get(f"{API}/articles/", headers={"If-None-Match": first["ETag"]})
        assert later.status_code == 200
        assert slugs(later.json()) == ["scheduled"]
        assert api.get(f"{API}/articles/scheduled/").status_code == 200


def test_taxonomies_list_only_what_has_a_public_article(api):
    shown, hidden = make_category("公開カテゴリー"), make_category("下書きだけのカテゴリー")
    writer, ghost = make_author("公開著者"), make_author("下書きだけの著者")
    make_article("公開記事", category=shown, authors=[writer], tags=["LLM"])
    make_article("公開記事2", category=shown, authors=[writer], tags=["LLM", "推論"])
    make_article("下書き", category=hidden, authors=[ghost], tags=["未発表製品"], status=Article.Status.DRAFT)

    categories = get_json(api, f"{API}/categories/")["items"]
    assert [(c["name"], c["article_count"]) for c in categories] == [("公開カテゴリー", 2)]
    assert categories[0]["url"] == f"http://testserver{shown.get_absolute_url()}"
    tags = get_json(api, f"{API}/tags/")["items"]
    assert sorted((t["name"], t["article_count"]) for t in tags) == [("LLM", 2), ("推論", 1)]
    authors = get_json(api, f"{API}/authors/")["items"]
    assert [(a["name"], a["article_count"], a["is_team"]) for a in authors] == [("公開著者", 2, False)]


# -- Article fields -------------------------------------------------------------------


def test_article_detail_has_the_sanitized_body_with_absolute_urls(api):
    category, author = make_category("生成AI"), make_author("山田 太郎")
    article = make_article(
        "ローカルLLMの始め方",
        slug="ローカルllm",
        body='## 手順\n\n[前回の記事](/articles/other/) と ![図](/media/uploads/fig.png)\n\n<script>alert(1)</script>\n\n<a href="javascript:alert(1)">罠</a>',
        excerpt="**手元**で動かす",
        category=category,
        authors=[author],
        tags=["LLM", "推論"],
    )
    document = get_json(api, f"{API}/articles/ローカルllm/")
    url = f"http://testserver{article.get_absolute_url()}"
    assert document["url"] == url
    assert document["title"] == "ローカルLLMの始め方"
    assert 'href="http://testserver/articles/other/"' in document["body_html"]
    assert 'src="http://testserver/media/uploads/fig.png"' in document["body_html"]
    assert "<script" not in document["body_html"] and "javascript:" not in document["body_html"]
    assert document["excerpt"] == "手元で動かす"
    assert document["excerpt_html"] == "<p><strong>手元</strong>で動かす</p>"
    assert document["category"] == {"name": "生成AI", "slug": category.slug, "url": f"http://testserver{category.get_absolute_url()}"}
    assert document["authors"] == [{"name": "山田 太郎", "slug": author.slug, "url": f"http://testserver{author.get_absolute_url()}"}]
    assert sorted(tag["name"] for tag in document["tags"]) == ["LLM", "推論"]
    assert document["share_image_url"].startswith(f"http://testserver/og/{article.pk}-")
    assert datetime.datetime.fromisoformat(document["published_at"]) == article.published_at.replace(microsecond=0)
    assert document["published_at"].endswith("+09:00")
    assert document["reading_time"] >= 1


def test_urls_use_the_configured_site_url(api, settings):
    settings.SITE_URL = "https://allforces.example"
    article = make_article("サイトURLの記事")
    item = get_json(api, f"{API}/articles/")["items"][0]
    assert item["url"] == f"https://allforces.example{article.get_absolute_url()}"
    assert item["share_image_url"].startswith("https://allforces.example/og/")


def test_list_items_carry_no_body(api):
    make_article("一覧の記事")
    item = get_json(api, f"{API}/articles/")["items"][0]
    assert "body_html" not in item
    assert set(item) >= {"slug", "title", "url", "excerpt", "authors", "category", "tags", "published_at", "updated_at", "share_image_url"}


# -- Cursor pagination ------------------------------------------------------------------


def test_cursor_pages_walk_every_article_once_newest_first(api):
    same_moment = hours_ago(5)
    for number in range(7):
        # Three share one published_at: the pk breaks the tie.
        make_article(f"記事{number}", slug=f"a{number}", published_at=same_moment if number < 3 else hours_ago(number))
    items, pages = walk(api, f"{API}/articles/?limit=2")
    assert pages == 4
    expected = list(Article.objects.published().order_by("-published_at", "-pk").values_list("slug", flat=True))
    assert [item["slug"] for item in items] == expected
    assert len(set(expected)) == 7


def test_a_newly_published_article_does_not_shift_the_next_page(api):
    for number in range(4):
        make_article(f"記事{number}", slug=f"a{number}", published_at=hours_ago(number + 1))
    first = get_json(api, f"{API}/articles/?limit=2")
    assert slugs(first) == ["a0", "a1"]
    make_article("速報", slug="breaking", published_at=timezone.now() - datetime.timedelta(seconds=1))
    second = get_json(api, first["next"])
    assert slugs(second) == ["a2", "a3"]
    assert second["next"] is None
    assert slugs(get_json(api, f"{API}/articles/?limit=2")) == ["breaking", "a0"]


def test_next_keeps_the_filters(api):
    for number in range(3):
        make_article(f"LLM記事{number}", slug=f"llm{number}", tags=["LLM"], published_at=hours_ago(number + 1))
    make_article("別のタグ", slug="other", tags=["画像"], published_at=hours_ago(2))
    items, pages = walk(api, f"{API}/articles/?tag=llm&limit=1")
    assert [item["slug"] for item in items] == ["llm0", "llm1", "llm2"]
    assert pages == 3


def test_huge_page_sizes_are_capped(api):
    for number in range(3):
        make_article(f"記事{number}")
    with mock.patch("blog.api.schemas.MAX_LIMIT", 2):
        document = get_json(api, f"{API}/articles/?limit=100000000000000000000000000")
    assert len(document["items"]) == 2
    assert document["next_cursor"]


def test_taxonomy_pages_follow_the_slug(api):
    for name in ["a", "b", "c", "d", "e"]:
        make_article(f"記事{name}", tags=[f"tag-{name}"])
    items, pages = walk(api, f"{API}/tags/?limit=2")
    assert [item["slug"] for item in items] == ["tag-a", "tag-b", "tag-c", "tag-d", "tag-e"]
    assert pages == 3


# -- Filters ----------------------------------------------------------------------------


def test_filters_by_tag_category_and_author(api):
    news, research = make_category("ニュース"), make_category("研究")
    alice, bob = make_author("鈴木 花子"), make_author("高橋 次郎")
    make_article("一", slug="one", category=news, authors=[alice], tags=["OpenAI"])
    make_article("二", slug="two", category=research, authors=[alice, bob], tags=["OpenAI", "Google"])
    make_article("三", slug="three", category=research, authors=[bob], tags=["Google"])
    assert set(slugs(get_json(api, f"{API}/articles/?tag=openai"))) == {"one", "two"}
    assert set(slugs(get_json(api, f"{API}/articles/?category={research.slug}"))) == {"two", "three"}
    assert set(slugs(get_json(api, f"{API}/articles/?author={alice.slug}"))) == {"one", "two"}
    assert slugs(get_json(api, f"{API}/articles/?author={bob.slug}&tag=openai&category={research.slug}")) == ["two"]
    assert slugs(get_json(api, f"{API}/articles/?tag=存在しないタグ")) == []


def test_a_tag_used_only_on_drafts_filters_to_nothing(api):
    make_article("下書き", tags=["未発表製品"], status=Article.Status.DRAFT)
    assert get_json(api, f"{API}/articles/?tag=未発表製品")["items"] == []


@pytest.mark.parametrize(
    "value",
    ["2025-04-01T09:00:00+09:00", "2025-04-01T00:00:00Z", "2025-04-01T09:00:00", "2025-04-01T09:00"],
)
def test_published_after_takes_iso_8601_and_japan_time_when_no_zone_is_given(api, value):
    boundary = datetime.datetime(2025, 4, 1, 0, 0, tzinfo=datetime.UTC)
    make_article("前", slug="before", published_at=boundary - datetime.timedelta(minutes=1))
    make_article("ちょうど", slug="at", published_at=boundary)
    make_article("後", slug="after", published_at=boundary + datetime.timedelta(minutes=1))
    assert slugs(get_json(api, f"{API}/articles/?published_after={value.replace('+', '%2B')}")) == ["after"]


def test_published_after_takes_a_plain_date(api):
    make_article("前日", slug="before", published_at=datetime.datetime(2025, 3, 31, 23, 0, tzinfo=timezone.get_current_timezone()))
    make_article("当日", slug="on", published_at=datetime.datetime(2025, 4, 1, 8, 0, tzinfo=timezone.get_current_timezone()))
    assert slugs(get_json(api, f"{API}/articles/?published_after=2025-04-01")) == ["on"]


@pytest.mark.parametrize("value", ["昨日", "2025-13-01", "2025-04-01T25:00", "1700000000", "'; DROP TABLE blog_article; --", "%00", "2025-04-01%00", "x" * 100])
def test_a_bad_published_after_is_a_400_with_a_json_error(api, value):
    document = get_json(api, f"{API}/articles/?published_after={value}", status=400)
    assert document["error"]["code"] == "invalid_parameter"
    assert document["error"]["parameters"] == ["published_after"]
    assert "ISO 8601" in document["error"]["message"] or "published_after" in document["error"]["message"]


@pytest.mark.parametrize(
    "query",
    ["tag=llm' OR '1'='1", "category=<script>alert(1)</script>", "author=%27%3B--", "tag=" + "長" * 150, "tag=%F0%9F%98%80"],
)
def test_sql_and_html_fragments_in_filters_match_nothing(api, query):
    make_article("記事", tags=["LLM"])
    document = get_json(api, f"{API}/articles/?{query}")
    assert document["items"] == []


@pytest.mark.parametrize("name", ["tag", "category", "author", "cursor"])
@pytest.mark.parametrize("value", ["%00", "a%0Ab", "x" * 400])
def test_control_characters_or_overlong_values_are_a_400(api, name, value):
    document = get_json(api, f"{API}/articles/?{name}={value}", status=400)
    assert document["error"]["parameters"] == [name]


def test_unknown_parameters_are_ignored(api):
    make_article("記事", slug="only")
    assert slugs(get_json(api, f"{API}/articles/?utm_source=x&sort=title&status=draft")) == ["only"]


@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5", ""])
def test_a_bad_limit_is_a_400(api, value):
    document = get_json(api, f"{API}/articles/?limit={value}", status=400)
    assert document["error"]["parameters"] == ["limit"]


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",
        "!!!!",
        "bm90IGpzb24",  # "not json"
        raw_cursor({"a": 1}),
        raw_cursor(["a", "2025-04-01T00:00:00+00:00"]),
        raw_cursor(["a", "2025-04-01T00:00:00+00:00", "5"]),
        raw_cursor(["a", "2025-04-01T00:00:00+00:00", 2**70]),
        raw_cursor(["a", "2025-04-01T00:00:00+00:00", -1]),
        raw_cursor(["a", "2025-04-01T00:00:00+00:00", True]),
        raw_cursor(["a", "2025-04-01T00:00:00", 5]),  # no zone
        raw_cursor(["a", "いつか", 5]),
        raw_cursor(["t", "llm"]),  # a tag cursor
        "カーソル",
    ],
)
def test_a_malformed_cursor_is_a_400(api, cursor):
    make_article("記事")
    document = get_json(api, f"{API}/articles/?cursor={cursor}", status=400)
    assert document["error"]["code"] == "invalid_parameter"
    assert document["error"]["parameters"] == ["cursor"]


def test_an_article_cursor_is_refused_by_the_tag_list(api):
    for number in range(2):
        make_article(f"記事{number}")
    cursor = get_json(api, f"{API}/articles/?limit=1")["next_cursor"]
    assert get_json(api, f"{API}/tags/?cursor={cursor}", status=400)["error"]["parameters"] == ["cursor"]


@pytest.mark.parametrize("slug", ["%00", "..%2F..%2Fetc", "%3Cscript%3E", "x" * 300])
def test_hostile_article_slugs_are_404(api, slug):
    assert get_json(api, f"{API}/articles/{slug}/", status=404)["error"]["code"] == "not_found"


def test_an_unknown_api_address_is_a_json_404(api):
    assert get_json(api, f"{API}/nothing/", status=404)["error"]["code"] == "not_found"


def test_the_api_is_read_only(api):
    response = api.post(f"{API}/articles/", data={})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_head_answers_like_get_without_a_body(api):
    make_article("記事")
    response = api.head(f"{API}/articles/")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response["Content-Length"]) == len(api.get(f"{API}/articles/").content)


# -- ETag / 304 -------------------------------------------------------------------------


def test_a_current_etag_gets_a_304_without_touching_the_database(api, django_assert_num_queries):
    make_article("記事")
    first = api.get(f"{API}/articles/")
    assert first.status_code == 200 and first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = api.get(f"{API}/articles/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize("change", ["publish", "edit", "unpublish", "rename category"])
def test_any_content_change_makes_the_etag_stale(api, change):
    article = make_article("記事", slug="a")
    draft = make_article("下書き", slug="d", status=Article.Status.DRAFT)
    etag = api.get(f"{API}/articles/")["ETag"]
    if change == "publish":
        draft.status, draft.published_at = Article.Status.PUBLISHED, hours_ago(2)
        draft.save()
    elif change == "edit":
        article.title = "記事（改訂）"
        article.save()
    elif change == "unpublish":
        article.status = Article.Status.DRAFT
        article.save()
    else:
        article.category.name = "新しい名前"
        article.category.save()
    response = api.get(f"{API}/articles/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_an_etag_lasts_no_longer_than_a_kept_page(api, settings):
    """Without Redis, a change saved by another process never moves this one's version."""
    settings.PAGE_CACHE_SECONDS = 600
    make_article("記事")
    with mock.patch("blog.api.middleware.time.time", return_value=6_000_000.0):
        etag = api.get(f"{API}/articles/")["ETag"]
        assert api.get(f"{API}/articles/", headers={"If-None-Match": etag}).status_code == 304
    with mock.patch("blog.api.middleware.time.time", return_value=6_000_600.0):
        assert api.get(f"{API}/articles/", headers={"If-None-Match": etag}).status_code == 200


def test_with_the_page_cache_off_the_etag_comes_from_the_body(api, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_article("記事")
    first = api.get(f"{API}/articles/")
    assert api.get(f"{API}/articles/", headers={"If-None-Match": first["ETag"]}).status_code == 304
    Article.objects.update(title="書き換え")  # no save(), no version: the body decides
    assert api.get(f"{API}/articles/", headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_each_url_has_its_own_etag(api):
    make_article("記事", tags=["LLM"])
    assert api.get(f"{API}/articles/")["ETag"] != api.get(f"{API}/articles/?tag=llm")["ETag"]
    etag = api.get(f"{API}/articles/")["ETag"]
    assert api.get(f"{API}/tags/", headers={"If-None-Match": etag}).status_code == 200


def test_the_schema_has_an_etag_too(api):
    first = api.get(f"{API}/schema/")
    assert api.get(f"{API}/schema/", headers={"If-None-Match": first["ETag"]}).status_code == 304


# -- CORS -------------------------------------------------------------------------------


def test_a_configured_origin_may_read_and_never_with_credentials(api, settings):
    settings.API_CORS_ORIGINS = [ORIGIN]
    make_article("記事")
    response = api.get(f"{API}/articles/", headers={"Origin": ORIGIN})
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]


def test_an_other_origin_gets_no_cors_headers(api, settings):
    settings.API_CORS_ORIGINS = [ORIGIN]
    response = api.get(f"{API}/articles/", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Origin" in response["Vary"]


def test_without_configured_origins_no_origin_may_read(api, settings):
    settings.API_CORS_ORIGINS = []
    assert "Access-Control-Allow-Origin" not in api.get(f"{API}/articles/", headers={"Origin": ORIGIN})


def test_a_wildcard_allows_any_origin_without_credentials(api, settings):
    settings.API_CORS_ORIGINS = ["*"]
    response = api.get(f"{API}/articles/", headers={"Origin": "https://anyone.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_preflight_is_answered_for_a_configured_origin(api, settings):
    settings.API_CORS_ORIGINS = [ORIGIN]
    response = api.options(
        f"{API}/articles/",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    refused = api.options(f"{API}/articles/", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in refused


def test_a_304_and_errors_carry_the_cors_headers(api, settings):
    settings.API_CORS_ORIGINS = [ORIGIN]
    make_article("記事")
    etag = api.get(f"{API}/articles/")["ETag"]
    not_modified = api.get(f"{API}/articles/", headers={"Origin": ORIGIN, "If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == ORIGIN
    bad = api.get(f"{API}/articles/?limit=x", headers={"Origin": ORIGIN})
    assert bad.status_code == 400 and bad["Access-Control-Allow-Origin"] == ORIGIN


def test_the_page_cache_never_keeps_an_api_answer(api, settings):
    """Kept whole, the first origin's CORS header (and the uncounted hits) would be served to all."""
    settings.API_CORS_ORIGINS = [ORIGIN, "https://other.example"]
    make_article("記事")
    first = api.get(f"{API}/articles/", headers={"Origin": ORIGIN})
    second = api.get(f"{API}/articles/", headers={"Origin": "https://other.example"})
    third = api.get(f"{API}/articles/")
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert first["Access-Control-Allow-Origin"] == ORIGIN
    assert second["Access-Control-Allow-Origin"] == "https://other.example"
    assert "Access-Control-Allow-Origin" not in third
    assert "public" not in first["Cache-Control"]
    # …while the HTML pages are still kept.
    api.get("/")
    assert api.get("/")["X-Page-Cache"] == "hit"


# -- Rate limit -------------------------------------------------------------------------


def test_past_the_rate_limit_an_address_gets_a_429_with_retry_after(settings):
    settings.API_RATE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.get(f"{API}/tags/").status_code == 200
    refused = client.get(f"{API}/tags/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused["Retry-After"] in refused.json()["error"]["message"]
    # Another address is counted apart; the HTML site is not limited.
    assert Client(REMOTE_ADDR="198.51.100.2").get(f"{API}/tags/").status_code == 200
    assert client.get("/").status_code == 200


def test_the_rate_limit_window_ends(settings):
    settings.API_RATE_LIMIT = 1
    client = Client(REMOTE_ADDR="203.0.113.8")
    with mock.patch("blog.api.middleware.time.time", return_value=1_000_040.0):
        assert client.get(f"{API}/tags/").status_code == 200
        refused = client.get(f"{API}/tags/")
        assert refused.status_code == 429 and refused["Retry-After"] == "40"
    with mock.patch("blog.api.middleware.time.time", return_value=1_000_080.0):
        assert client.get(f"{API}/tags/").status_code == 200


def test_behind_a_proxy_the_forwarded_address_is_counted(settings):
    settings.API_RATE_LIMIT, settings.NUM_PROXIES = 1, 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert proxy.get(f"{API}/tags/", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
    assert proxy.get(f"{API}/tags/", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    assert proxy.get(f"{API}/tags/", headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 200


def test_a_zero_rate_limit_is_no_limit(settings):
    settings.API_RATE_LIMIT = 0
    client = Client()
    assert all(client.get(f"{API}/tags/").status_code == 200 for _ in range(5))


# -- OpenAPI ----------------------------------------------------------------------------


def test_the_schema_is_a_valid_openapi_3_document(api):
    document = get_json(api, f"{API}/schema/")
    validate(document)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        f"{API}/articles/", f"{API}/articles/{{slug}}/", f"{API}/tags/", f"{API}/categories/", f"{API}/authors/"
    }
    assert {"ArticlePage", "ArticleDetail", "Error", "Tag", "Category", "Author"} <= set(document["components"]["schemas"])
    parameters = {p["name"] for p in document["paths"][f"{API}/articles/"]["get"]["parameters"]}
    assert parameters == {"cursor", "limit", "tag", "category", "author", "published_after"}
    assert set(document["paths"][f"{API}/articles/{{slug}}/"]["get"]["responses"]) == {"200", "404"}


# -- Constant queries -------------------------------------------------------------------


def build_site(count):
    categories = [make_category(f"カテゴリー{n}") for n in range(3)]
    authors = [make_author(f"著者{n}") for n in range(4)]
    for number in range(count):
        make_article(
            f"記事{number}",
            slug=f"article-{number}",
            category=categories[number % 3],
            authors=authors[: 1 + number % 3],
            tags=[f"タグ{number % 5}", "LLM"],
            published_at=hours_ago(number + 1),
        )


ENDPOINTS = {
    "articles": (f"{API}/articles/?limit=100", 4),
    "filtered": (f"{API}/articles/?tag=llm&category=カテゴリー0&author=著者0&published_after=2000-01-01", 4),
    "detail": (f"{API}/articles/article-0/", 4),
    "tags": (f"{API}/tags/", 3),
    "categories": (f"{API}/categories/", 3),
    "authors": (f"{API}/authors/", 3),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("count", [5, 50])
def test_queries_per_request_do_not_grow_with_content(api, endpoint, count, django_assert_num_queries):
    build_site(count)
    url, queries = ENDPOINTS[endpoint]
    # The next scheduled publication (one query, then remembered), the rows, and their relations.
    with django_assert_num_queries(queries):
        response = api.get(url)
    assert response.status_code == 200
    if endpoint == "articles":
        assert len(response.json()["items"]) == count


# -- Outages ----------------------------------------------------------------------------


@pytest.fixture
def _retry_redis_at_once(monkeypatch):
    from config.cache import ResilientRedisCache

    monkeypatch.setattr(ResilientRedisCache, "RETRY_AFTER", 0.0)


def test_with_redis_unreachable_the_api_still_answers_and_revalidates(settings, closed_port, _retry_redis_at_once):
    from tests.conftest import redis_cache_settings

    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port}/0")
    settings.API_RATE_LIMIT = 1  # nothing can be counted: nothing is refused
    make_article("Redis停止中の記事", slug="down")
    client = Client()
    first = client.get(f"{API}/articles/")
    assert first.status_code == 200 and slugs(first.json()) == ["down"]
    assert client.get(f"{API}/articles/").status_code == 200
    # The ETag then comes from the body (ConditionalGetMiddleware).
    assert client.get(f"{API}/articles/", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_the_rate_limit_is_counted_in_redis(settings, redis_server):
    from tests.conftest import redis_cache_settings

    settings.CACHES = redis_cache_settings(redis_server.url)
    settings.API_RATE_LIMIT = 2
    # Two clients from one address, as two web containers would see them.
    statuses = [Client(REMOTE_ADDR="203.0.113.20").get(f"{API}/tags/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_database_outage_is_a_json_503(api):
    from django.db import OperationalError

    with mock.patch("blog.api.views.Article.objects.published", side_effect=OperationalError("down")):
        response = api.get(f"{API}/articles/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert response["Retry-After"]
