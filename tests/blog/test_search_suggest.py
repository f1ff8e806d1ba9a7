"""Suggestions as the reader types, and the help a search that found nothing gives."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Article
from blog.search import suggestions
from tests.factories import make_article, make_category, make_user

pytestmark = pytest.mark.django_db

SUGGEST = "/search/suggest/"


def suggest(client, q, **extra):
    response = client.get(SUGGEST, {"q": q}, **extra)
    assert response.status_code == 200, response.content
    return response.json()["suggestions"]


def labels(found) -> list[tuple[str, str]]:
    return [(s["kind"], s["label"]) for s in found]


# -- the endpoint -------------------------------------------------------------------------------


def test_typing_an_alias_offers_the_tag_it_names(client):
    make_article("データセンターの今", tags=["NVIDIA"])
    found = suggest(client, "エヌビ")
    assert found[0] == {"kind": "tag", "label": "NVIDIA", "url": "/tags/nvidia/", "note": "「エヌビディア」の別名"}


def test_tags_come_first_then_titles_by_name_or_alias(client):
    make_article("LLMの推論を速くする", tags=["LLM"])
    make_article("大規模言語モデルの評価", tags=["評価"])
    make_article("画像認識の基礎", tags=["画像"])
    found = labels(suggest(client, "LLM"))
    assert found == [("tag", "LLM"), ("article", "大規模言語モデルの評価"), ("article", "LLMの推論を速くする")]


def test_a_series_with_a_published_article_is_offered_between_tags_and_titles(client):
    from tests.factories import make_series

    published = make_article("LLMを業務で使う 第1回", tags=["LLM"])
    make_series("LLMを業務で使う", articles=[published])
    draft = make_article("LLM連載の下書き", status=Article.Status.DRAFT)
    make_series("LLM下書きだけの連載", articles=[draft])
    found = suggest(client, "LLM")
    assert labels(found) == [("tag", "LLM"), ("series", "LLMを業務で使う"), ("article", "LLMを業務で使う 第1回")]
    assert found[1]["url"].startswith("/series/") and found[1]["note"] == "連載"


def test_a_tag_starting_with_the_text_comes_before_one_containing_it(client):
    make_article(tags=["生成AI", "AI倫理", "マルチモーダルAI"])
    assert labels(suggest(client, "ai"))[:3] == [("tag", "AI倫理"), ("tag", "生成AI"), ("tag", "マルチモーダルAI")]


def test_no_more_than_ten_suggestions(client):
    make_article("推論の話", tags=[f"推論{n:02}" for n in range(15)])
    found = suggest(client, "推論")
    assert len(found) == suggestions.MAX_SUGGESTIONS == 10
    assert all(s["kind"] == "tag" for s in found)


def test_drafts_and_their_tags_are_never_offered(client):
    make_article("公開中の推論記事", tags=["公開タグ"])
    make_article("未発表の推論チップ", status=Article.Status.DRAFT, tags=["未発表タグ"])
    found = labels(suggest(client, "推論")) + labels(suggest(client, "タグ"))
    assert ("article", "公開中の推論記事") in found and ("tag", "公開タグ") in found
    assert not [label for _, label in found if "未発表" in label]


def test_markup_comes_back_as_data_never_as_html(client):
    make_article("<b>太字</b>の推論", tags=["<script>x</script>"])
    response = client.get(SUGGEST, {"q": "<"})
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert {s["label"] for s in body["suggestions"]} >= {"<script>x</script>"}


@pytest.mark.parametrize("params", [{}, {"q": "あ" * 101}])
def test_a_missing_or_overlong_query_is_a_400_with_a_japanese_message(client, params):
    response = client.get(SUGGEST, params)
    assert response.status_code == 400
    assert "文字まで" in response.json()["error"]


@pytest.mark.parametrize("q", ["", "   ", "\x00\x1f", "\"", "-", "OR", "'; DROP TABLE blog_tag; --", "%", "_", "\\"])
def test_odd_input_is_answered_normally(client, q):
    make_article(tags=["LLM"])
    response = client.get(SUGGEST, {"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["suggestions"], list)


def test_like_wildcards_are_matched_literally(client):
    make_article("推論100%の話", tags=["推論"])
    make_article("推論の話", tags=["推論"])
    assert labels(suggest(client, "100%")) == [("article", "推論100%の話")]


def test_only_safe_methods_are_answered(client):
    assert client.post(SUGGEST, {"q": "推論"}).status_code == 405


def test_each_address_gets_a_budget_per_minute_then_429_with_retry_after(settings):
    settings.SEARCH_SUGGEST_PER_MINUTE = 3
    make_article(tags=["LLM"])
    reader, other = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    assert [reader.get(SUGGEST, {"q": f"L{n}"}).status_code for n in range(3)] == [200, 200, 200]
    refused = reader.get(SUGGEST, {"q": "LLM"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert "少し待って" in refused.json()["error"]
    assert other.get(SUGGEST, {"q": "LLM"}).status_code == 200


def test_behind_a_proxy_the_forwarded_address_counts(settings):
    settings.SEARCH_SUGGEST_PER_MINUTE, settings.NUM_PROXIES = 1, 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    assert proxy.get(SUGGEST, {"q": "a"}, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 200
    assert proxy.get(SUGGEST, {"q": "a"}, HTTP_X_FORWARDED_FOR="192.0.2.11").status_code == 200
    assert proxy.get(SUGGEST, {"q": "a"}, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 429


def count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_a_repeated_suggestion_is_answered_from_the_cache(client):
    make_article("LLMの推論", tags=["LLM"])
    first = suggest(client, "LL")
    count_queries(client, SUGGEST, {"q": "LL"})  # asked twice: now kept
    assert count_queries(client, SUGGEST, {"q": "LL"}) == 0
    assert suggest(client, "LL") == first
    make_article("LLMの評価", tags=["LLM"])  # content changed: asked afresh
    assert ("article", "LLMの評価") in labels(suggest(client, "LL"))


def build(count, prefix):
    category = make_category(f"{prefix}カテゴリー")
    now = timezone.now()
    for number in range(count):
        article = Article.objects.create(
            title=f"{prefix}推論の記事{number}", body="本文です。", category=category,
            status=Article.Status.PUBLISHED, published_at=now - datetime.timedelta(minutes=number + 1),
        )  # fmt: skip
        article.tags.set([f"{prefix}推論{number % 7}", "NVIDIA"])


@pytest.mark.parametrize(
    "url, params",
    [(SUGGEST, {"q": "推論"}), (SUGGEST, {"q": "エヌビ"}), ("/search/", {"q": "推論 存在しない語"}), ("/search/", {"q": "エヌビデァ"})],
)
def test_queries_do_not_grow_with_content(client, url, params):
    build(5, "小")
    small = count_queries(client, url, params)
    Article.objects.all().delete()
    cache.clear()  # measured cold: nothing kept (the alias table outlives the delete)
    build(120, "大")
    assert count_queries(client, url, params) == small
    assert small <= 14


# -- no JavaScript needed ---------------------------------------------------------------------------


def test_the_search_box_is_a_plain_form_that_the_script_enhances(client):
    page = client.get("/").content.decode()
    form = re.search(r'<form class="search-form"[^>]*>.*?</form>', page, re.S).group()
    assert 'action="/search/"' in form and 'method="get"' in form and 'name="q"' in form
    assert 'data-suggest-url="/search/suggest/"' in form
    assert 'role="combobox"' not in form  # the script adds it: without it the box is a plain field
    assert '<script src="/static/js/search-suggest.js" defer></script>' in page


# -- a search that found nothing ----------------------------------------------------------------


def test_nothing_found_suggests_the_query_without_its_rarest_term(client):
    make_article("メモリ帯域と推論性能", body="推論の性能はメモリ帯域で決まる。", excerpt="", tags=())
    make_article("推論の基礎", body="推論とは。", excerpt="", tags=())
    page = client.get("/search/", {"q": "推論 メモリ帯域 超伝導"}).content.decode()
    assert "こちらもお試しください" in page
    assert "「超伝導」を除いた" in page
    assert 'href="/search/?q=%E6%8E%A8%E8%AB%96%20%E3%83%A1%E3%83%A2%E3%83%AA%20%E5%B8%AF%E5%9F%9F"' in page
    assert "「推論 メモリ 帯域」</a>なら1件見つかります" in page


def test_nothing_found_suggests_the_alias_it_may_have_meant_and_related_tags(client):
    make_article("データセンター向けGPU", body="NVIDIAのGPU。", excerpt="", tags=["NVIDIA", "GPU"])
    page = client.get("/search/", {"q": "エヌビデァ"}).content.decode()
    assert "もしかして：" in page
    assert '>NVIDIA</a>' in page  # the link to search for it
    assert 'href="/tags/nvidia/"' in page
    assert "関連するタグ" in page


def test_a_query_with_results_shows_no_help(client):
    make_article("推論の基礎", tags=["推論"])
    assert "こちらもお試しください" not in client.get("/search/", {"q": "推論"}).content.decode()


def test_the_help_escapes_what_the_reader_typed(client):
    make_article("推論の基礎", tags=["推論"])
    page = client.get("/search/", {"q": '推論 <img src=x onerror=alert(1)>"'}).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img" in page


def test_staff_get_the_same_help():
    make_article("推論の基礎", tags=["推論"])
    staff = Client()
    staff.force_login(make_user("suggest-staff"))
    # 量子暗号 is two terms, neither found: both are left out
    assert "「量子」「暗号」を除いた" in staff.get("/search/", {"q": "推論 量子暗号"}).content.decode()
