"""Search results in order of relevance: where the terms occur, how many, how often, then how new.

The score is documented in ``blog/search/ranking.py`` and ``docs/search.md``; the reader switches
between 関連度 and 新しい順 with ``?sort=relevance|new``.
"""

import datetime

import pytest
from django.utils import timezone

from blog import search
from blog.models import Article
from blog.search import ranking
from blog.search.query import Query, parse
from blog.templatetags.blog_tags import snippet
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FILLER = "関係のない前置きの文章が続きます。" * 3


def ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def titles(client, q, **params):
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return [article.title for article in response.context["articles"]]


@pytest.fixture
def placed():
    """The word 量子化 in the body of each, and also in one other field: the older, the higher.

    (A tag alone does not make an article match: the search reads title, excerpt and body.)"""
    body = FILLER + "量子化の話。"
    make_article("量子化の基礎", excerpt="", body=body, tags=(), published_at=ago(40))
    make_article("抜粋に出る記事", excerpt="量子化を解説します。", body=body, tags=(), published_at=ago(30))
    make_article("タグに出る記事", excerpt="", body=body, tags=["量子化"], published_at=ago(20))
    make_article("本文に出る記事", excerpt="", body=body, tags=(), published_at=ago(10))


def test_a_title_match_ranks_above_an_excerpt_above_a_tag_above_the_body(client, placed):
    assert titles(client, "量子化") == ["量子化の基礎", "抜粋に出る記事", "タグに出る記事", "本文に出る記事"]


def test_newest_first_ignores_where_the_term_occurs(client, placed):
    assert titles(client, "量子化", sort="new") == ["本文に出る記事", "タグに出る記事", "抜粋に出る記事", "量子化の基礎"]


def test_relevance_is_the_default_and_can_be_asked_for_by_name(client, placed):
    assert titles(client, "量子化", sort="relevance") == titles(client, "量子化")


def test_a_title_holding_more_of_the_terms_ranks_above_one_holding_fewer(client):
    make_article("推論の記事", excerpt="", body=FILLER + "GPUで推論する。", tags=(), published_at=ago(1))
    make_article("GPU推論の記事", excerpt="", body=FILLER, tags=(), published_at=ago(9))
    assert titles(client, "GPU 推論") == ["GPU推論の記事", "推論の記事"]


def test_a_number_or_latin_word_counts_in_a_field_only_as_a_whole_word():
    assert ranking.occurs_in("7", "vim magazine 2017 年 7 月号")
    assert not ranking.occurs_in("7", "vim magazine 2017 年 12 月号")
    assert not ranking.occurs_in("ai", "openaiの新モデル")
    assert ranking.occurs_in("ai", "生成aiの新モデル")
    assert ranking.occurs_in("gpt-4o", "gpt-4oの評価")
    assert ranking.occurs_in("推論", "推論性能")  # Japanese has no word edges to ask for


def test_a_latin_word_inside_a_longer_one_is_not_a_title_match(client):
    make_article("AI規制の論点", excerpt="", body=FILLER * 3, tags=(), published_at=ago(30))
    make_article("OpenAIの規制対応", excerpt="", body=FILLER, tags=(), published_at=ago(1))
    assert titles(client, "AI 規制") == ["AI規制の論点", "OpenAIの規制対応"]


def test_a_term_mentioned_more_often_ranks_higher_among_equal_places(client):
    body = "蒸留" + "あ" * 200
    make_article("一度だけ", excerpt="", body=body, tags=(), published_at=ago(1))
    make_article("何度も", excerpt="", body=body.replace("あ" * 12, "蒸留" + "あ" * 10, 4), tags=(), published_at=ago(5))
    assert titles(client, "蒸留") == ["何度も", "一度だけ"]


def test_a_shorter_document_with_the_same_mentions_ranks_higher(client):
    make_article("長い記事", excerpt="", body="蒸留について。" + "あ" * 2000, tags=(), published_at=ago(1))
    make_article("短い記事", excerpt="", body="蒸留について。" + "あ" * 100, tags=(), published_at=ago(5))
    assert titles(client, "蒸留") == ["短い記事", "長い記事"]


def test_equal_scores_put_the_newer_article_first(client):
    for days, title in [(5, "記事C"), (1, "記事A"), (3, "記事B")]:  # the same length: the same score
        make_article(title, excerpt="", body="蒸留の話。", tags=(), published_at=ago(days))
    assert titles(client, "蒸留") == ["記事A", "記事B", "記事C"]


def test_a_bad_sort_value_falls_back_to_relevance_and_says_so(client, placed):
    response = client.get("/search/", {"q": "量子化", "sort": "<b>popular</b>"})
    assert response.status_code == 200
    assert [a.title for a in response.context["articles"]][0] == "量子化の基礎"
    html = response.content.decode()
    assert "並び順「&lt;b&gt;popular&lt;/b&gt;」は使えないため" in html


def test_the_sort_switch_links_both_orders_and_marks_the_current_one(client, placed):
    html = client.get("/search/", {"q": "量子化", "sort": "new"}).content.decode()
    assert "並び替え：" in html
    assert '<strong aria-current="true">新しい順</strong>' in html
    assert 'href="?q=%E9%87%8F%E5%AD%90%E5%8C%96"' in html  # 関連度: the default needs no parameter


def test_pages_keep_the_order(client):
    for n in range(14):
        make_article(f"記事{n}", excerpt="", body="蒸留" * (n + 1) + "。", tags=(), published_at=ago(n + 1))
    first = client.get("/search/", {"q": "蒸留", "sort": "new"})
    assert "sort=new&amp;page=2" in first.content.decode()
    second = titles(client, "蒸留", sort="new", page="2")
    assert second == ["記事12", "記事13"]


def test_only_the_capped_result_set_is_ranked_and_it_holds_the_rows_the_search_finds(client, monkeypatch):
    monkeypatch.setattr(search, "RESULT_LIMIT", 5)
    for n in range(8):
        make_article(f"本文だけ{n}", excerpt="", body="蒸留" * (8 - n), tags=(), published_at=ago(n + 1))
    make_article("蒸留の題", excerpt="", body="本文。", tags=(), published_at=ago(30))
    definition = [a.title for a in Article.objects.published().search(parse("蒸留"))][:5]
    ranked = titles(client, "蒸留")
    assert sorted(ranked) == sorted(definition)
    assert ranked[0] == "蒸留の題"
    assert titles(client, "蒸留", sort="new") == [f"本文だけ{n}" for n in range(5)]  # the five newest


# -- the score itself --------------------------------------------------------------------------


def match(**fields):
    values = {"pk": 1, "published_at": 0, "title": "", "excerpt": "", "tags": [], "length": 100, "frequencies": [1]}
    return ranking.Match(**{**values, **fields})


def test_the_place_of_a_term_outweighs_any_frequency():
    query = Query.exact(["gpu"])
    in_title = ranking.score(query, match(title="gpuの話", frequencies=[1], length=1000), mean_length=100)
    in_body_often = ranking.score(query, match(frequencies=[500], length=50), mean_length=100)
    assert in_title > in_body_often


def test_the_frequency_part_saturates_below_one_per_term():
    parts = [ranking.frequency_part(tf, 100, 100.0) for tf in (1, 2, 10, 1000)]
    assert parts == sorted(parts)
    assert parts[-1] < 1
    assert ranking.frequency_part(1, 100, 100.0) == pytest.approx(1 / 2.2)


def test_the_score_is_the_documented_sum():
    query = Query.exact(["gpu", "推論"])
    found = match(title="gpuの世界", tags=["推論"], frequencies=[2, 1], length=200)
    expected = ranking.TIER * (8 + 2) + ranking.frequency_part(2, 200, 100.0) + ranking.frequency_part(1, 200, 100.0)
    assert ranking.score(query, found, mean_length=100.0) == pytest.approx(expected)


# -- snippets ----------------------------------------------------------------------------------


def test_the_snippet_shows_the_passage_with_the_most_terms_and_marks_every_one():
    body = "メモリの話から始めます。" + "あ" * 300 + "推論の性能はメモリ帯域で決まり、メモリ帯域は推論を左右します。" + "い" * 300
    html = snippet(body, ["メモリ", "帯域", "推論"], [["メモリ"], ["帯域"], ["推論"]], width=60)
    assert html.count("<mark>推論</mark>") == 2
    assert html.count("<mark>メモリ帯域</mark>") == 2  # adjacent terms share one mark
    assert "始めます" not in html  # the first mention alone is not the best passage


def test_the_search_page_snippet_highlights_every_matched_term(client):
    make_article(
        "帯域の記事",
        excerpt="",
        body="前置き。" + "あ" * 300 + "メモリ帯域が推論性能を決める。",
        tags=(),
    )
    html = client.get("/search/", {"q": "メモリ帯域が推論性能を決める"}).content.decode()
    summary = html[html.index('class="card__summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "…" in summary  # the passage, not the opening
    assert "<mark>メモリ帯域</mark>が<mark>推論性能</mark>を<mark>決める</mark>" in summary
