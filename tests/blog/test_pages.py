import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    """A small site: two categories, a team byline, published, draft and future articles."""
    guide = make_category("AI技術ガイド")
    hardware = make_category("AIハードウェア")
    team = make_author("ALLFORCES編集部", is_team=True)
    writer = make_author("佐藤 美咲")
    published = make_article(
        "Llama 4の登場で、Metaが描くオープンAI戦略",
        category=guide,
        authors=[team],
        tags=["Meta", "LLM", "オープンソース"],
        body="## 性能向上の背景\n\nMetaはオープンソースのモデルを公開し続けています。推論の効率も上がりました。",
        published_at=timezone.datetime(2025, 12, 15, 20, 38, tzinfo=datetime.UTC),
    )
    related = make_article(
        "NVIDIAの新GPUと推論コスト",
        category=hardware,
        authors=[writer, team],
        tags=["NVIDIA", "LLM", "Meta"],
        published_at=timezone.datetime(2025, 11, 3, 9, 0, tzinfo=datetime.UTC),
    )
    draft = make_article("未公開の下書き記事", status=Article.Status.DRAFT, category=guide, authors=[team], tags=["Meta"])
    future = make_article(
        "来週公開予定の記事",
        category=guide,
        authors=[team],
        tags=["Meta"],
        published_at=timezone.now() + datetime.timedelta(days=7),
    )
    return dict(guide=guide, hardware=hardware, team=team, writer=writer, published=published, related=related, draft=draft, future=future)


def test_home_lists_published_articles_newest_first(client, site):
    response = client.get("/")
    assert response.status_code == 200
    assert list(response.context["articles"]) == [site["published"], site["related"]]
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "未公開の下書き記事" not in html and "来週公開予定の記事" not in html


def test_article_page_shows_everything_a_reader_needs(client, site):
    article = site["published"]
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1 class=\"article__title\">Llama 4の登場で、Metaが描くオープンAI戦略</h1>" in html
    assert "ALLFORCES編集部" in html and "AI技術ガイド" in html
    assert "2025年12月16日 05:38" in html  # shown in Japan time
    assert "#オープンソース" in html and "分で読めます" in html
    assert '<h2 id="性能向上の背景">' in html  # body
    assert 'class="toc"' in html and 'href="#性能向上の背景"' in html
    assert [card.pk for card in response.context["related_articles"]] == [site["related"].pk]


def test_article_page_carries_canonical_open_graph_twitter_and_json_ld(client, site):
    article = site["published"]
    html = client.get(article.get_absolute_url()).content.decode()
    url = "http://testserver" + article.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:title" content="Llama 4の登場で、Metaが描くオープンAI戦略">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(payload)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["author"][0] == {"@type": "Organization", "name": "ALLFORCES編集部", "url": "http://testserver" + site["team"].get_absolute_url()}
    assert data["datePublished"].startswith("2025-12-15T20:38:00")


def test_json_ld_cannot_be_broken_out_of(client):
    article = make_article("</script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(payload)["headline"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("which", ["draft", "future"])
def test_unpublished_articles_are_404_for_readers(client, site, which):
    assert client.get(site[which].get_absolute_url()).status_code == 404


def test_category_page_lists_only_its_published_articles(client, site):
    response = client.get(site["guide"].get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["articles"]) == [site["published"]]
    assert response.context["category"] == site["guide"]


def test_tag_page_routes_japanese_slugs(client, site):
    tag = site["published"].tags.get(name="オープンソース")
    assert tag.slug == "オープンソース"
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["articles"]) == [site["published"]]


def test_tag_page_lists_published_articles_only(client, site):
    tag = site["published"].tags.get(name="Meta")
    assert list(client.get(tag.get_absolute_url()).context["articles"]) == [site["published"], site["related"]]


def test_author_page_lists_the_team_byline(client, site):
    response = client.get(site["team"].get_absolute_url())
    assert response.status_code == 200
    assert site["team"].slug == "allforces編集部"
    assert list(response.context["articles"]) == [site["published"], site["related"]]
    assert list(client.get(site["writer"].get_absolute_url()).context["articles"]) == [site["related"]]


def test_archive_pages_group_by_japan_time(client, site):
    # 2025-12-15 20:38 UTC is 2025-12-16 in Tokyo.
    assert list(client.get(reverse("blog:archive-month", args=[2025, 12])).context["articles"]) == [site["published"]]
    assert list(client.get(reverse("blog:archive-month", args=[2025, 11])).context["articles"]) == [site["related"]]
    assert list(client.get(reverse("blog:archive-year", args=[2025])).context["articles"]) == [site["published"], site["related"]]
    index = client.get(reverse("blog:archive-index")).content.decode()
    assert "/archive/2025/12/" in index and "/archive/2025/11/" in index
    assert reverse("blog:archive-month", args=[2025, 12]) == "/archive/2025/12/"


def test_empty_lists_say_so_in_japanese(client, site):
    response = client.get(reverse("blog:archive-year", args=[2019]))
    assert response.status_code == 200
    assert "この期間の記事はありません。" in response.content.decode()


def test_pagination(client):
    category = make_category()
    for number in range(14):
        make_article(f"記事{number}", category=category, published_at=timezone.now() - datetime.timedelta(hours=number + 1))
    first = client.get("/")
    assert len(first.context["articles"]) == 12
    second = client.get("/?page=2")
    assert [a.title for a in second.context["articles"]] == ["記事12", "記事13"]


@pytest.mark.parametrize(
    "url",
    [
        "/?page=abc",
        "/?page=999999",
        "/?page=-1",
        "/?page=0",
        "/?page=1e10",
        "/articles/存在しない記事/",
        "/articles/no-such-slug/",
        "/categories/nope/",
        "/tags/nope/",
        "/authors/nope/",
        "/archive/9999/",
        "/archive/0000/",
        "/archive/2025/13/",
        "/archive/2025/00/",
        "/search/?q=推論&page=abc",
        "/search/?q=推論&page=99",
    ],
)
def test_bad_input_is_a_404_never_a_500(client, site, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "あ" * 5000,
        "\x00推論",
        "%00",
        "'; DROP TABLE blog_article; --",
        "%_\\",
        "🤖" * 300,
        "\u202e\u0000\u200b",
        "Ｌｌａｍａ　４",
    ],
)
def test_odd_search_queries_never_fail(client, site, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert len(response.context["query"]) <= 100


@pytest.mark.parametrize("raw", ["q=%ED%A0%80", "q=%FF%FE%00", "q=%C0%AF", "q=a&q=b", "q", "page=2"])
def test_malformed_query_strings_never_fail(client, site, raw):
    response = client.get("/search/?" + raw)
    assert response.status_code in (200, 404)


def test_search_ignores_sql_wildcards(client, site):
    assert list(client.get("/search/", {"q": "%"}).context["articles"]) == []
    assert list(client.get("/search/", {"q": "_"}).context["articles"]) == []


def test_remembered_addresses_follow_the_script_prefix_and_quote_japanese_slugs():
    from django.urls import clear_script_prefix, reverse, set_script_prefix

    from blog.models import slug_url

    assert slug_url("blog:article-detail", "生成ai入門") == reverse("blog:article-detail", kwargs={"slug": "生成ai入門"})
    set_script_prefix("/media-site/")
    try:
        assert slug_url("blog:tag-detail", "openai") == "/media-site/tags/openai/"
    finally:
        clear_script_prefix()
    assert slug_url("blog:tag-detail", "openai") == "/tags/openai/"
