"""The fast search path (blog.search) returns exactly what the one-query definition returns.

``ArticleQuerySet.search`` is the definition (plain ``LIKE``); ``SearchResults`` pages through
the same rows with capped counts, segment walks and, on PostgreSQL, the grams index. These
tests shrink the limits so that every strategy runs on a small data set.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import search
from blog.models import Article
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL index")

TRICKY_TEXTS = [
    "推論コストの話",
    "ＡＩと推論",  # full width: folded to "ai"
    "Ai推論",
    "推\n論は改行で切れている",  # not the word 推論
    "論推の逆順",
    "100%の_確率",  # LIKE wildcards must be literal
    "ｶﾞｯﾂﾘ半角カナ",
    "e\u0301とé",  # combining accent next to a precomposed one
    "一文字の戦",
    "輸出管理規制の影響",
    "輸出と管理と規制（別々）",
    "ﬁ合字",  # NFKC: "fi"
]
TERMS = [
    ["推論"], ["推"], ["論推"], ["ai"], ["AI", "推論"], ["%"], ["_"], ["100%"], ["ｶﾞ"], ["ガッ"],
    ["é"], ["e"], ["戦"], ["輸出管理規制"], ["管理"], ["規制", "輸出"], ["fi"], ["ﬁ合"], ["存在しない"],
    ["推論", "存在しない"], ["の"],
]


@pytest.fixture
def tricky_site():
    category = make_category("検索")
    now = timezone.now()
    rows = []
    for number, (title_text, body_text) in enumerate(itertools.product(TRICKY_TEXTS[:6], TRICKY_TEXTS)):
        rows.append(
            make_article(
                f"{title_text} {number}",
                body=f"本文{number}。{body_text}",
                excerpt="",
                tags=(),
                category=category,
                published_at=now - datetime.timedelta(minutes=number % 17, seconds=number),
            )
        )
    make_article("推論の下書き", status=Article.Status.DRAFT, body="推論 AI", tags=(), category=category)
    make_article("未来の推論", body="推論 AI", published_at=now + datetime.timedelta(days=1), tags=(), category=category)
    return rows


def reference(terms):
    return list(Article.objects.published().search(terms).values_list("pk", flat=True))


def paged(terms, per_page=7):
    results = search.SearchResults(Article.objects.published().for_listing(with_text=True), terms)
    found = []
    for start in range(0, results.count(), per_page):
        found += [article.pk for article in results[start : start + per_page]]
    return found, results


@pytest.mark.parametrize(
    "result_limit,probe_limit",
    [(search.RESULT_LIMIT, search.PROBE_LIMIT), (10, 10), (3, 5), (1, 1)],
    ids=["default", "walks-past-10", "walks-past-3", "always-walks"],
)
@pytest.mark.parametrize("common_window", [search.COMMON_WINDOW, 4], ids=["window-default", "window-4"])
@pytest.mark.parametrize("terms", TERMS, ids=["+".join(t) for t in TERMS])
def test_pages_hold_exactly_the_rows_of_the_plain_search(
    tricky_site, monkeypatch, terms, result_limit, probe_limit, common_window
):
    monkeypatch.setattr(search, "RESULT_LIMIT", result_limit)
    monkeypatch.setattr(search, "PROBE_LIMIT", probe_limit)
    monkeypatch.setattr(search, "COMMON_WINDOW", common_window)
    expected = reference(terms)
    found, results = paged(terms)
    assert found == expected[:result_limit]
    assert results.count() == min(len(expected), result_limit)
    assert results.capped == (len(expected) > result_limit)


@postgres_only
def test_sql_grams_are_the_characters_and_adjacent_pairs_python_computes():
    with connection.cursor() as cursor:
        for value in TRICKY_TEXTS + ["", "a", "ab", "\x01x", "ＡＢ\nｃ"]:
            cursor.execute("SELECT blog_search_grams(%s)", [value])
            # Grams holding U+0001 (the function's separator) may be lost; no term holds one.
            expected = {gram for gram in search.grams(value) if "\x01" not in gram}
            assert {gram for gram in cursor.fetchone()[0] if "\x01" not in gram} == expected, value


def plan(queryset) -> str:
    """The plan of ``queryset`` when only a search index could avoid reading every row."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # On a few rows a sequential scan is cheaper: forbid it to see which index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_short_terms_are_answered_by_the_grams_index(tricky_site):
    # Without published(): its own indexes would do on so few rows; this checks that the SQL
    # Django writes is the migration's index expression.
    results = search.SearchResults(Article.objects.all(), ["推論"])
    assert "blog_article_search_grams" in plan(results._documents(walk=False))
    assert "blog_article_title_grams" in plan(results._titles(walk=False))
    one_char = search.SearchResults(Article.objects.all(), ["戦"])
    assert "blog_article_search_grams" in plan(one_char._documents(walk=False))


@postgres_only
def test_long_terms_use_the_trigram_index_and_titles_their_bigrams(tricky_site):
    results = search.SearchResults(Article.objects.all(), ["輸出管理規制"])
    assert "blog_article_search_trgm" in plan(results._documents(walk=False))
    assert "blog_article_title_grams" in plan(results._titles(walk=False))


def test_count_stops_at_the_limit_and_says_so(client, tricky_site, monkeypatch):
    monkeypatch.setattr(search, "RESULT_LIMIT", 15)
    assert len(reference(["推論"])) > 15
    response = client.get("/search/", {"q": "推論"})
    assert "15件以上見つかりました" in response.content.decode()
    assert response.context["paginator"].num_pages == 2
    assert client.get("/search/", {"q": "推論", "page": 2}).status_code == 200
    assert client.get("/search/", {"q": "推論", "page": 3}).status_code == 404
    assert client.get("/search/", {"q": "推論", "page": "x"}).status_code == 404


def test_exact_count_below_the_limit(client, tricky_site):
    expected = len(reference(["輸出管理規制"]))
    assert 0 < expected < search.RESULT_LIMIT
    # quoted: the exact phrase, not its three words (輸出・管理・規制) anywhere in the article
    assert f"{expected}件見つかりました" in client.get("/search/", {"q": '"輸出管理規制"'}).content.decode()


def test_a_page_is_one_count_query_one_id_query_and_the_listing(tricky_site):
    results = search.SearchResults(Article.objects.published().for_listing(with_text=True), ["推論"])
    with CaptureQueriesContext(connection) as captured:
        page = results[0:12]
        for article in page:
            list(article.tags.all()), list(article.authors.all()), article.category
    assert len(page) == 12
    assert len(captured) == 5  # counts, ids, articles, authors, tags


@pytest.mark.parametrize(
    "body,term,expected_start",
    [
        ("前置き。ＡＩの話。あとでaiの話", "ai", "ai"),  # the typed hit is found without folding it all
        ("前置き。ＡＩの話だけ", "ai", "ＡＩ"),  # no hit as typed: found by folding
        ("前置き。推論の話", "推論", "推論"),
        ("前置き…ＧＰＵ…㍿と…Ｇｐｕの話", "gpu", "ＧＰＵ"),  # 「…」 and 「㍿」 fold into several characters
        ("前置き…㍿…ｶﾞｿﾘﾝとＡＩの話", "ai", "ＡＩ"),  # so do half-width kana with a sound mark
    ],
)
def test_snippet_shows_a_hit_however_it_is_written(body, term, expected_start):
    from blog.templatetags.blog_tags import snippet

    assert f"<mark>{expected_start}</mark>" in snippet(body, [term], width=8)


def test_a_snippet_cut_from_a_long_body_is_marked_with_ellipses_and_highlights_exactly_the_term():
    from blog.templatetags.blog_tags import highlight, snippet

    body = "あ" * 200 + "…中略…推論…" + "い" * 200
    html = snippet(body, ["推論"], width=20)
    assert html.startswith("…") and html.endswith("…")
    assert "…中略…<mark>推論</mark>…" in html
    assert highlight("前…後のＧＰＵと<gpu>", ["gpu"]) == "前…後の<mark>ＧＰＵ</mark>と&lt;<mark>gpu</mark>&gt;"
