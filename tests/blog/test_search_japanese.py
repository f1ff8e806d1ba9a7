"""Search reads a query the way a Japanese reader types it: sentences, inflections and operators."""

import datetime

import pytest
from django.utils import timezone

from blog.models import Article
from blog.search.query import Query, Term, parse
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def spellings(query: str) -> list[tuple[str, ...]]:
    return [term.spellings for term in parse(query).terms]


# -- reading the query ------------------------------------------------------------------------


def test_a_sentence_keeps_its_content_words_and_drops_particles():
    terms = spellings("メモリ帯域が推論性能を決める")
    assert [t for t in terms if len(t) == 1] == [("メモリ",), ("帯域",), ("推論",), ("性能",)]
    assert "決め" in terms[-1]  # the verb by its stem as well
    flat = {s for t in terms for s in t}
    assert not flat & {"が", "を"}


def test_a_verb_is_matched_by_its_stem_as_well_as_the_form_typed():
    assert set(spellings("決めた")[0]) >= {"決め", "決める"}
    # a one-character stem is only matched with the endings of its conjugation
    run = set(spellings("走らない")[0])
    assert {"走る", "走ら", "走っ", "走り"} <= run
    assert "走" not in run and "走ん" not in run


def test_a_verb_also_finds_its_transitive_or_intransitive_pair():
    assert {"決め", "決ま"} <= set(spellings("決める")[0])
    assert {"決ま", "決め"} <= set(spellings("決まった")[0])
    assert {"広げ", "広が"} <= set(spellings("広がる")[0])


def test_an_adjective_is_matched_by_its_stem_as_well():
    assert {"速い", "速く", "速か"} <= set(spellings("速くない")[0])
    assert "新し" in spellings("新しいモデル")[0]


def test_prefixes_and_suffixes_stay_with_their_word_and_light_verbs_are_dropped():
    assert spellings("大規模言語モデルを生成する") == [("大規模",), ("言語",), ("モデル",), ("生成",)]
    assert spellings("重要性") == [("重要性",)]


def test_latin_names_are_kept_whole_and_case_folded():
    assert spellings("GPT-4oを使う")[0] == ("gpt-4o",)
    assert spellings("ＯｐｅｎＡＩ") == [("openai",)]


def test_one_and_two_character_words_are_matched_exactly_as_today():
    assert spellings("AI") == [("ai",)]
    assert spellings("推論") == [("推論",)]
    assert spellings("が") == [("が",)]


def test_a_word_of_particles_only_is_searched_as_typed():
    assert spellings("これは") == [("これは",)]


def test_the_dictionary_standard_spelling_is_accepted_too():
    assert set(spellings("シュミレーション")[0]) == {"シュミレーション", "シミュレーション"}


def test_quotes_force_an_exact_phrase():
    assert spellings('"推論 性能を"') == [("推論 性能を",)]
    # an unclosed quote runs to the end of the query
    assert spellings('"推論性能') == [("推論性能",)]


def test_minus_excludes_a_word_or_a_phrase():
    query = parse('推論 -GPU -"クラウド 料金"')
    assert [t.spellings for t in query.terms] == [("推論",)]
    assert query.excluded == ("gpu", "クラウド 料金")


def test_or_accepts_either_word_in_the_same_place():
    assert spellings("NVIDIA OR エヌビディア 推論") == [("nvidia", "エヌビディア"), ("推論",)]
    assert spellings("GPU OR TPU OR NPU") == [("gpu", "npu", "tpu")]


def test_operators_alone_make_an_empty_query():
    for raw in ["OR", "-", '"', '""', "- OR -", "OR OR"]:
        assert not parse(raw), raw


def test_the_same_terms_in_another_order_share_a_cache_key():
    assert parse("推論 GPU").key == parse("GPU 推論").key
    assert parse("推論 GPU").key != parse("推論 -GPU").key


def test_a_spelling_inside_another_adds_no_test():
    assert Term.of("決める", "決め").needles == ("決め",)


# -- finding articles ---------------------------------------------------------------------------


@pytest.fixture
def articles():
    now = timezone.now()
    day = datetime.timedelta(days=1)
    return {
        "bandwidth": make_article(
            "GPUのメモリ帯域と推論",
            excerpt="HBMの世代が変わると、推論の速さはどう変わるのか。",
            body="大規模言語モデルの推論性能は、演算性能よりもメモリ帯域で決まることが多い。"
            "トークンを一つ生成するたびに重みを読み出すからだ。",
            tags=["NVIDIA"],
            published_at=now - 2 * day,
        ),
        "training": make_article(
            "学習クラスタの組み方",
            excerpt="",
            body="学習ではGPU同士の通信帯域が性能を左右する。推論とは事情が違う。",
            tags=["GPU"],
            published_at=now - 1 * day,
        ),
        "decided": make_article(
            "社内ルールを決めた話",
            excerpt="",
            body="生成AIの利用ルールを決めました。エヌビディア製GPUの割り当ても決めた。",
            tags=["生成AI"],
            published_at=now - 3 * day,
        ),
        "draft": make_article(
            "メモリ帯域が推論性能を決める（下書き）",
            status=Article.Status.DRAFT,
            body="メモリ帯域が推論性能を決める",
        ),
    }


def found(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return list(response.context["articles"])


def test_a_sentence_finds_the_article_that_says_it_in_other_words(client, articles):
    assert found(client, "メモリ帯域が推論性能を決める") == [articles["bandwidth"]]


def test_particles_added_or_removed_and_word_order_changed_find_the_same_article(client, articles):
    for q in ["推論性能とメモリ帯域", "メモリ帯域で推論の性能が決まる", "推論 メモリ帯域 性能"]:
        assert articles["bandwidth"] in found(client, q), q


def test_an_inflected_verb_finds_other_forms_of_it(client, articles):
    assert found(client, "ルールを決める") == [articles["decided"]]
    assert found(client, "ルールを決めました") == [articles["decided"]]
    assert found(client, "ルールが決まった") == [articles["decided"]]


def test_exact_phrase_requires_the_words_together(client, articles):
    assert found(client, '"推論性能"') == [articles["bandwidth"]]
    assert found(client, '"性能推論"') == []


def test_excluded_words_remove_articles(client, articles):
    assert set(found(client, "帯域 性能")) == {articles["bandwidth"], articles["training"]}
    assert found(client, "帯域 性能 -学習") == [articles["bandwidth"]]
    assert found(client, '帯域 -"メモリ帯域"') == [articles["training"]]


def test_or_finds_articles_with_either_word(client, articles):
    assert set(found(client, "HBM OR エヌビディア")) == {articles["bandwidth"], articles["decided"]}


def test_every_spelling_that_matched_is_highlighted(client, articles):
    html = client.get("/search/", {"q": "ルールを決める"}).content.decode()
    assert "<mark>ルール</mark>を<mark>決め</mark>" in html


def test_the_model_definition_and_the_search_page_find_the_same_articles(client, articles):
    # the same matches; the page ranks them by relevance, the definition by title hit and date
    query = parse("帯域 性能 -学習")
    assert set(Article.objects.published().search(query)) == set(found(client, "帯域 性能 -学習"))
    assert set(Article.objects.published().search(Query.exact(["推論"]))) == set(found(client, "推論"))
    assert len(found(client, "推論")) == 2


# -- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    '"推論',
    '推論"',
    '""""',
    "OR",
    "- - -",
    "-",
    "推論 OR",
    "OR 推論",
    "推" * 10_000,
    "推論 " * 3_000,
    "\x00\x01推論\x1b[31m\u202e",
    "' OR 1=1; DROP TABLE blog_article; --",
    "%_\\%",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_malformed_queries_get_a_normal_page_and_are_never_reflected_unescaped(client, articles, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert Article.objects.count() == 4  # nothing dropped


def test_a_query_that_is_not_utf8_gets_a_normal_page(client, articles):
    assert client.get("/search/?q=%ED%A0%80%FF").status_code in (200, 400)


def test_like_wildcards_are_literal(client, articles):
    make_article("100%の推論", body="割合は100%です。")
    assert [a.title for a in found(client, "100%")] == ["100%の推論"]
    assert found(client, "_%") == []


def test_the_demo_article_about_memory_bandwidth_is_found_by_a_sentence(client):
    from django.core.management import call_command

    call_command("load_demo", "--without-pictures", verbosity=0)
    titles = [a.title for a in found(client, "メモリ帯域が推論性能を決める")]
    assert "GPUの性能は「メモリ帯域」で決まる時代へ" in titles[:3]
