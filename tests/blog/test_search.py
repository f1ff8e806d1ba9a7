"""Search must find Japanese substrings, short words and width/case variants."""

import datetime

import pytest
from django.utils import timezone

from blog.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    now = timezone.now()
    return {
        "oss_in_body": make_article(
            "Metaの戦略を読む",
            excerpt="",
            body="MetaはLlamaをオープンソースとして公開し、エコシステムを広げています。",
            tags=["Meta"],
            published_at=now - datetime.timedelta(days=3),
        ),
        "oss_in_title": make_article(
            "オープンソースLLMの選び方",
            excerpt="",
            body="モデル選びの要点を整理します。",
            tags=["LLM"],
            published_at=now - datetime.timedelta(days=5),
        ),
        "inference": make_article(
            "GPUと推論コスト",
            excerpt="データセンターの**推論**需要が伸びています。",
            body="NVIDIAのGPUがAI計算を支えています。",
            tags=["NVIDIA"],
            published_at=now - datetime.timedelta(days=1),
        ),
        "draft": make_article(
            "オープンソースの下書き",
            status=Article.Status.DRAFT,
            body="推論 AI オープンソース",
        ),
        "future": make_article(
            "未来のオープンソース記事",
            body="推論 AI オープンソース",
            published_at=now + datetime.timedelta(days=1),
        ),
    }


def results(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return list(response.context["articles"])


def test_finds_a_japanese_word_inside_a_sentence_and_ranks_title_hits_first(client, articles):
    assert results(client, "オープンソース") == [articles["oss_in_title"], articles["oss_in_body"]]


def test_finds_two_character_words_that_trigrams_miss(client, articles):
    assert results(client, "推論") == [articles["inference"]]
    assert results(client, "AI") == [articles["inference"]]


def test_finds_one_character_terms(client, articles):
    assert results(client, "戦") == [articles["oss_in_body"]]


def test_matches_excerpt_text(client, articles):
    assert results(client, "データセンター") == [articles["inference"]]


def test_normalizes_full_width_half_width_and_case(client, articles):
    assert results(client, "ｵｰﾌﾟﾝｿｰｽ") == [articles["oss_in_title"], articles["oss_in_body"]]
    assert results(client, "ＮＶＩＤＩＡ") == [articles["inference"]]
    assert results(client, "nvidia") == [articles["inference"]]
    assert results(client, "llama") == [articles["oss_in_body"]]


def test_all_terms_must_match(client, articles):
    assert results(client, "オープンソース Llama") == [articles["oss_in_body"]]
    assert results(client, "オープンソース　NVIDIA") == []  # full-width space separates terms too


def test_drafts_and_future_articles_never_appear_in_search(client, articles):
    found = results(client, "オープンソース") + results(client, "推論") + results(client, "AI")
    assert articles["draft"] not in found and articles["future"] not in found


def test_query_is_highlighted_escaped_and_the_page_is_noindex(client, articles):
    html = client.get("/search/", {"q": "推論"}).content.decode()
    assert "GPUと<mark>推論</mark>コスト" in html
    assert '<meta name="robots" content="noindex, follow">' in html
    html = client.get("/search/", {"q": "<b>推論</b>"}).content.decode()
    assert "<b>推論</b>" not in html


def test_highlight_follows_width_folding(client, articles):
    html = client.get("/search/", {"q": "ｵｰﾌﾟﾝｿｰｽ"}).content.decode()
    assert "<mark>オープンソース</mark>LLMの選び方" in html


def test_empty_query_shows_the_form_without_results(client, articles):
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    assert list(response.context["articles"]) == []
