"""Aliases: NVIDIA and エヌビディア, LLM and 大規模言語モデル are one word to the search and to tags."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blog.models import Alias, AliasGroup, Article, Tag
from blog.search import SearchResults, aliases
from blog.search.aliases import AliasTable
from blog.search.query import parse
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def spellings(query: str, table: AliasTable) -> list[set[str]]:
    return [set(term.spellings) for term in parse(query, table).terms]


def titles(response) -> list[str]:
    return [card.article.title for card in response.context["cards"]]


@pytest.fixture
def table():
    return aliases.load()


# -- the seeded table ---------------------------------------------------------------------------


def test_the_table_comes_seeded_with_company_and_technology_names(table):
    assert len(table.groups) >= 30
    for name, other in [
        ("OpenAI", "オープンAI"), ("NVIDIA", "エヌビディア"), ("生成AI", "ジェネレーティブAI"),
        ("LLM", "大規模言語モデル"), ("ディープラーニング", "深層学習"), ("Anthropic", "アンソロピック"),
        ("Meta", "メタ"), ("機械学習", "ML"), ("Google", "グーグル"), ("Microsoft", "マイクロソフト"),
    ]:  # fmt: skip
        assert other in table.group(name), name
        assert table.preferred(other) == name


def test_a_spelling_is_found_in_any_width_and_case(table):
    assert table.preferred("ｎｖｉｄｉａ") == "NVIDIA"
    assert table.preferred("ｵｰﾌﾟﾝAI") == "OpenAI"


# -- reading a query -----------------------------------------------------------------------------


def test_an_alias_typed_alone_is_one_term_with_every_spelling(table):
    assert spellings("エヌビディア", table) == [{"エヌビディア", "nvidia"}]
    assert spellings("NVIDIA", table) == [{"エヌビディア", "nvidia"}]


def test_an_alias_inside_a_sentence_is_found_on_morpheme_edges(table):
    assert spellings("エヌビディアの決算", table) == [{"エヌビディア", "nvidia"}, {"決算"}]
    # a compound the analyser would split stays one term
    assert spellings("大規模言語モデルの推論", table) == [{"大規模言語モデル", "llm", "large language model"}, {"推論"}]
    assert {"ジェネレーティブai", "生成ai", "生成系ai", "generative ai"} in spellings("ジェネレーティブAIとは", table)


def test_an_alias_inside_another_word_is_not_taken_for_it(table):
    assert spellings("メタデータの活用", table) == [{"メタデータ"}, {"活用"}]
    assert spellings("html入門", table) == [{"html"}, {"入門"}]


def test_a_short_latin_spelling_is_used_only_when_typed(table):
    assert spellings("ML", table) == [{"ml", "機械学習", "マシンラーニング", "machine learning"}]
    assert "ml" not in spellings("機械学習", table)[0]  # ml is inside html and xml


def test_quoted_phrases_and_exclusions_are_taken_as_typed(table):
    query = parse('"エヌビディア" -メタ', table)
    assert [t.spellings for t in query.terms] == [("エヌビディア",)]
    assert query.excluded == ("メタ",)


def test_without_a_table_a_query_reads_as_before():
    assert spellings("エヌビディアの決算", aliases.EMPTY) == [{"エヌビディア"}, {"決算"}]


# -- searching -----------------------------------------------------------------------------------


def test_the_search_page_finds_an_article_by_another_spelling_of_its_company(client):
    make_article("NVIDIAの決算を読む", body="データセンター向けが伸びた。", excerpt="", tags=())
    make_article("エヌビディア製GPUの供給", body="供給が続く。", excerpt="", tags=())
    make_article("グーグルの新モデル", body="検索に統合。", excerpt="", tags=())
    for query in ["エヌビディア", "nvidia", "ＮＶＩＤＩＡの"]:
        found = titles(client.get("/search/", {"q": query}))
        assert sorted(found) == ["NVIDIAの決算を読む", "エヌビディア製GPUの供給"], query


def test_the_queryset_search_and_the_search_page_agree_with_aliases(client, table):
    make_article("大規模言語モデルの推論コスト", body="推論の話。", excerpt="", tags=())
    make_article("LLMの推論を速くする", body="量子化で。", excerpt="", tags=())
    make_article("推論チップの動向", body="LLM は出てこない。", excerpt="", tags=())
    make_article("画像生成の推論", body="拡散モデル。", excerpt="", tags=())
    query = parse("大規模言語モデルの推論", table)
    listing = Article.objects.published().for_listing(with_text=True)
    page_rows = [a.title for a in SearchResults(listing, query)[0:10]]
    assert page_rows == [a.title for a in Article.objects.published().search(query)]
    assert set(page_rows) == {"大規模言語モデルの推論コスト", "LLMの推論を速くする", "推論チップの動向"}
    assert titles(client.get("/search/", {"q": "大規模言語モデルの推論"})) == page_rows


def test_an_alias_added_by_an_editor_changes_the_next_search_even_a_remembered_one(client):
    make_article("ソラの動画生成", body="ソラの動画を作る。", excerpt="", tags=())
    def found():
        return "の動画を作る" in client.get("/search/", {"q": "Sora"}).content.decode()

    for _ in range(3):  # asked repeatedly: the page and its counts are kept
        assert not found()
    assert client.get("/search/", {"q": "Sora"})["X-Page-Cache"] == "hit"
    group = AliasGroup.objects.create(name="Sora")
    Alias.objects.create(group=group, spelling="ソラ")
    assert found()
    group.delete()
    assert not found()


def alias_reads(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum('"blog_aliasgroup"' in q["sql"] or "blog_aliasgroup" in q["sql"] for q in captured.captured_queries)


def test_the_alias_table_is_read_once_per_content_version():
    make_article("NVIDIAの決算を読む", tags=())
    reader = Client()
    assert alias_reads(reader, "/search/?q=エヌビディア") == 1
    assert alias_reads(reader, "/search/?q=グーグル") == 0  # another query, same version
    AliasGroup.objects.create(name="Sora")
    assert alias_reads(reader, "/search/?q=グーグル") == 1
    staff = Client()
    staff.force_login(make_user("staff-reader"))
    assert alias_reads(staff, "/search/?q=グーグル") == 1  # staff read afresh, once a page
    assert alias_reads(reader, "/search/") == 0  # no query, no table


# -- tags ----------------------------------------------------------------------------------------


def test_a_tag_address_by_another_spelling_leads_to_the_tag(client):
    make_article(tags=["NVIDIA"])
    response = client.get("/tags/エヌビディア/")
    assert response.status_code == 302
    assert response["Location"] == Tag.objects.get(name="NVIDIA").get_absolute_url()
    assert client.get("/tags/存在しないタグ/").status_code == 404


def test_a_tag_only_on_drafts_is_not_reached_by_its_alias_either(client):
    make_article(status=Article.Status.DRAFT, tags=["NVIDIA"])
    assert client.get("/tags/エヌビディア/").status_code == 404


def test_merging_a_tag_keeps_its_name_as_an_alias_of_the_target(client):
    make_article(tags=["エヌビディア社"])
    make_article(tags=["NVIDIA"])
    source, target = Tag.objects.get(name="エヌビディア社"), Tag.objects.get(name="NVIDIA")
    source.merge_into(target)
    assert "エヌビディア社" in aliases.load().group("NVIDIA")
    # the old address and the old name lead to the target
    assert client.get(f"/tags/{source.slug}/")["Location"] == target.get_absolute_url()
    assert client.get("/search/suggest/", {"q": "エヌビディア社"}).json()["suggestions"][0]["label"] == "NVIDIA"


def test_merging_a_tag_without_aliases_into_another_makes_a_group():
    make_article(tags=["深層強化学習の応用"])
    make_article(tags=["深層強化学習"])
    Tag.objects.get(name="深層強化学習の応用").merge_into(Tag.objects.get(name="深層強化学習"))
    assert aliases.load().group("深層強化学習") == ("深層強化学習", "深層強化学習の応用")


def test_merging_tags_of_two_groups_joins_the_groups():
    make_article(tags=["Google"])
    make_article(tags=["DeepMind"])
    Tag.objects.get(name="DeepMind").merge_into(Tag.objects.get(name="Google"))
    group = set(aliases.load().group("Google"))
    assert {"Google", "グーグル", "DeepMind", "ディープマインド"} <= group
    assert not AliasGroup.objects.filter(name="DeepMind").exists()


def test_merging_a_tag_whose_group_the_target_lacks_hands_the_group_over():
    make_article(tags=["グーグル"])
    make_article(tags=["Alphabet"])
    Tag.objects.get(name="グーグル").merge_into(Tag.objects.get(name="Alphabet"))
    assert {"Alphabet", "Google", "グーグル"} <= set(aliases.load().group("Alphabet"))


# -- the admin -----------------------------------------------------------------------------------


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(make_user("alias-editor", groups=["Editor"]))
    return client


def management_form(prefix="aliases", total=3):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_an_editor_adds_a_group_with_its_spellings_in_the_admin(editor_client):
    page = editor_client.get("/admin/blog/aliasgroup/")
    assert page.status_code == 200
    assert "同義語・別名" in page.content.decode()
    data = {"name": "xAI", **management_form(), "aliases-0-spelling": "エックスエーアイ", "aliases-1-spelling": "", "aliases-2-spelling": ""}
    response = editor_client.post("/admin/blog/aliasgroup/add/", data)
    assert response.status_code == 302, response.content.decode()
    assert aliases.load().group("エックスエーアイ") == ("xAI", "エックスエーアイ")


def test_a_spelling_of_another_group_is_refused_with_a_message(editor_client):
    data = {"name": "エヌビディア社", **management_form(), "aliases-0-spelling": "ｴﾇﾋﾞﾃﾞｨｱ", "aliases-1-spelling": "", "aliases-2-spelling": ""}
    response = editor_client.post("/admin/blog/aliasgroup/add/", data)
    assert response.status_code == 200
    assert "すでにグループ「NVIDIA」の表記です" in response.content.decode()
    assert not AliasGroup.objects.filter(name="エヌビディア社").exists()


def test_the_same_spelling_twice_in_one_group_is_refused(editor_client):
    data = {"name": "Grok", **management_form(), "aliases-0-spelling": "グロック", "aliases-1-spelling": "ｸﾞﾛｯｸ", "aliases-2-spelling": "grok"}
    response = editor_client.post("/admin/blog/aliasgroup/add/", data)
    assert response.status_code == 200
    assert response.content.decode().count("このグループに同じ表記があります") == 2
    assert not AliasGroup.objects.filter(name="Grok").exists()


def test_a_group_name_taken_by_another_groups_spelling_is_refused(editor_client):
    response = editor_client.post("/admin/blog/aliasgroup/add/", {"name": "オープンAI", **management_form(total=0)})
    assert response.status_code == 200
    assert "別のグループ「OpenAI」の表記です" in response.content.decode()


def test_a_writer_reads_the_table_but_cannot_change_it():
    writer = Client()
    writer.force_login(make_user("alias-writer", groups=["Writer"]))
    assert writer.get("/admin/blog/aliasgroup/").status_code == 200
    assert writer.get("/admin/blog/aliasgroup/add/").status_code == 403


def test_the_tag_list_shows_aliases_and_finds_a_tag_by_one(editor_client):
    make_article(tags=["NVIDIA", "推論"])
    page = editor_client.get("/admin/blog/tag/", {"q": "エヌビディア"}).content.decode()
    assert ">NVIDIA</a>" in page and "エヌビディア" in page
    assert ">推論</a>" not in page
