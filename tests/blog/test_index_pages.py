"""The index pages: every tag, category and author with a published article, and how many."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from blog import indexes
from blog.models import Article, Tag
from tests.factories import make_article, make_author, make_category, make_user

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def tag_counts(body: str) -> list[tuple[str, int]]:
    """The tags a tag index lists, in page order, with the count shown beside each."""
    return [(name, int(count)) for name, count in re.findall(r'#([^<]+?) <span class="tag-index__count">(\d+)件', body)]


@pytest.fixture
def site():
    llm = make_category("LLM", description="大規模言語モデルの動向")
    hardware = make_category("AIハードウェア")
    make_category("空のカテゴリー")
    team = make_author("ALLFORCES編集部", is_team=True, bio="編集部の共同署名です。")
    writer = make_author("佐藤 美咲")
    make_author("下書きだけの著者")
    make_article("推論コスト", category=llm, authors=[team], tags=["LLM", "推論", "OpenAI"])
    make_article("GPUの帯域", category=hardware, authors=[team, writer], tags=["LLM", "推論", "GPU"])
    make_article("モデル選び", category=llm, authors=[writer], tags=["LLM", "オープンソース"])
    make_article("下書き", status=Article.Status.DRAFT, category=hardware, tags=["LLM", "未発表の製品"])
    make_article("来週の記事", published_at=timezone.now() + datetime.timedelta(days=7), category=llm, tags=["予告"])


# -- /tags/ ---------------------------------------------------------------------------


def test_tag_index_lists_every_public_tag_most_used_first_with_its_published_count(client, site):
    body = page(client, "/tags/")
    assert tag_counts(body) == [("LLM", 3), ("推論", 2), ("GPU", 1), ("OpenAI", 1), ("オープンソース", 1)]
    assert "タグ5件" in body


def test_tag_index_hides_tags_used_only_on_drafts_or_scheduled_articles(client, site):
    body = page(client, "/tags/")
    assert "未発表の製品" not in body and "予告" not in body
    assert page(client, "/tags/?order=name").count("未発表の製品") == 0


def test_tag_index_links_each_tag_to_its_page(client, site):
    body = page(client, "/tags/")
    llm = Tag.objects.get(name="LLM")
    assert f'<a href="{llm.get_absolute_url()}">#LLM ' in body


def test_tag_index_by_name_groups_latin_by_letter_and_kana_and_kanji_by_gojuon_row(client, site):
    make_article("がぞう", tags=["画像生成", "アンソロピック", "ぱらめーた", "3D", "ロボット"])
    body = page(client, "/tags/?order=name")
    headings = re.findall(r'<h2 id="tags-[^"]+" class="index-group__title">([^<]+)</h2>', body)
    assert headings == ["G", "L", "O", "あ行", "か行", "さ行", "は行", "ら行", "その他"]
    section = body.split('class="index-group__title">あ行</h2>')[1].split("</section>")[0]
    assert [name for name, _ in tag_counts(section)] == ["アンソロピック", "オープンソース"]
    assert "#推論" in body.split("さ行</h2>")[1].split("</section>")[0]
    assert "#画像生成" in body.split("か行</h2>")[1].split("</section>")[0]
    assert "#3D" in body.split("その他</h2>")[1]
    # The jump links lead to every group.
    for key in ["G", "L", "O", "あ", "か", "さ", "は", "ら", "その他"]:
        assert f'<a href="#tags-{key}">' in body and f'id="tags-{key}"' in body


def test_tag_index_marks_the_view_being_shown(client, site):
    assert re.search(r'href="/tags/" aria-current="page">記事の多い順', page(client, "/tags/"))
    assert re.search(r'href="/tags/\?order=name" aria-current="page">五十音・ABC順', page(client, "/tags/?order=name"))


@pytest.mark.parametrize("query", ["?order=count", "?order=%00", "?order=名前", "?order=name&order=random"])
def test_an_unknown_tag_order_is_a_404_not_an_error(client, site, query):
    assert client.get("/tags/" + query).status_code == 404


def test_an_empty_tag_order_is_the_default_view(client, site):
    assert tag_counts(page(client, "/tags/?order=")) == tag_counts(page(client, "/tags/"))


def test_tag_index_without_any_public_article_says_so(client):
    make_article("下書き", status=Article.Status.DRAFT, tags=["LLM"])
    body = page(client, "/tags/")
    assert "まだタグがありません。" in body and "#LLM" not in body


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("OpenAI", "O"),
        ("llm", "L"),
        ("ＧＰＴ", "G"),
        ("アンソロピック", "あ"),
        ("がぞう", "か"),
        ("パラメータ", "は"),
        ("ｶﾅ", "か"),
        ("ッ", "た"),
        ("ヴィジョン", "あ"),
        ("ンゴ", "わ"),
        ("推論", "さ"),
        ("著作権", "た"),
        ("半導体", "は"),
        ("3D", "その他"),
        ("#hashtag", "その他"),
        ("🤖", "その他"),
    ],
)
def test_a_tag_is_grouped_by_its_initial(name, group):
    assert indexes.initial(name) == group


# -- /categories/ and /authors/ ---------------------------------------------------------


def test_category_index_lists_categories_with_published_articles_and_their_counts(client, site):
    body = page(client, "/categories/")
    assert re.findall(r'<a href="/categories/[^"]+/">([^<]+)</a></h2>\s*<p class="meta"><span class="nowrap">(\d+)件の記事', body) == [
        ("AIハードウェア", "1"),
        ("LLM", "2"),
    ]
    assert "大規模言語モデルの動向" in body
    assert "空のカテゴリー" not in body


def test_author_index_lists_authors_with_published_articles_most_prolific_first(client, site):
    body = page(client, "/authors/")
    assert re.findall(r'<a href="/authors/[^"]+/">([^<]+)</a></h2>\s*<p class="meta">(チーム|著者) <span aria-hidden="true">·</span> <span class="nowrap">(\d+)件の記事', body) == [
        ("ALLFORCES編集部", "チーム", "2"),
        ("佐藤 美咲", "著者", "2"),
    ]
    assert "編集部の共同署名です。" in body
    assert "下書きだけの著者" not in body


@pytest.mark.parametrize("url", ["/tags/", "/categories/", "/authors/", "/"])
def test_every_page_links_the_index_pages_from_its_footer(client, site, url):
    footer = page(client, url).split('<footer class="site-footer">')[1]
    nav = footer.split('<nav class="footer-nav"')[1].split("</nav>")[0]
    for href in ['href="/categories/"', 'href="/tags/"', 'href="/authors/"', 'href="/series/"', 'href="/feed/"']:
        assert href in nav


def test_index_pages_have_a_canonical_url(client, site):
    assert '<link rel="canonical" href="http://testserver/tags/?order=name">' in page(client, "/tags/?order=name&utm_source=x")
    assert '<link rel="canonical" href="http://testserver/categories/">' in page(client, "/categories/")


# -- Kept pages stay true --------------------------------------------------------------


@pytest.fixture
def reader():
    return Client()


def test_index_pages_are_kept_for_anonymous_readers(reader, site, django_assert_num_queries):
    for url in ["/tags/", "/tags/?order=name", "/categories/", "/authors/"]:
        assert reader.get(url)["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            assert reader.get(url)["X-Page-Cache"] == "hit"


def test_renaming_a_tag_shows_on_both_tag_index_views(reader, site):
    for url in ["/tags/", "/tags/?order=name"]:
        assert "#推論" in page(reader, url)
    tag = Tag.objects.get(name="推論")
    tag.name = "AI推論"
    tag.save()
    for url in ["/tags/", "/tags/?order=name"]:
        body = page(reader, url)
        assert "#推論" not in body and "#AI推論" in body
    assert "#AI推論" in page(reader, "/tags/?order=name").split("A</h2>")[1].split("</section>")[0]


def test_merging_tags_shows_on_the_tag_index(reader, site):
    page(reader, "/tags/")
    Tag.objects.get(name="GPU").merge_into(Tag.objects.get(name="推論"))
    assert ("推論", 2) in tag_counts(page(reader, "/tags/")) and "#GPU" not in page(reader, "/tags/")


def test_publishing_an_article_updates_every_index_count(reader, site):
    page(reader, "/tags/"), page(reader, "/categories/"), page(reader, "/authors/")
    draft = Article.objects.get(title="下書き")
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - datetime.timedelta(minutes=1)
    draft.save()
    assert ("LLM", 4) in tag_counts(page(reader, "/tags/"))
    assert "#未発表の製品" in page(reader, "/tags/?order=name")
    assert re.search(r"AIハードウェア</a></h2>\s*<p class=\"meta\"><span class=\"nowrap\">2件の記事", page(reader, "/categories/"))


def test_a_scheduled_article_appears_on_the_index_when_its_time_comes(reader, site):
    from unittest import mock

    assert "#予告" not in page(reader, "/tags/")
    later = timezone.now() + datetime.timedelta(days=7, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "#予告" in page(reader, "/tags/")


def test_staff_see_a_fresh_index(client, site):
    client.force_login(make_user())
    page(client, "/tags/")
    Tag.objects.filter(name="推論").update(name="更新された名前")  # no signal: only a fresh read shows it
    assert "#更新された名前" in page(client, "/tags/")


# -- Sitemap ---------------------------------------------------------------------------


def test_the_sitemap_lists_the_index_pages(client, site):
    body = page(client, "/sitemap.xml")
    for path in ["/tags/", "/categories/", "/authors/"]:
        assert f"<loc>http://testserver{path}</loc>" in body
