"""JSON Feed 1.1: the site's feed and each category's, tag's and author's, checked against the spec's field rules."""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from blog.feeds import FEED_LENGTH
from blog.json_feed import CONTENT_TYPE, VERSION
from blog.models import Article, Tag
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

# RFC 3339 date-time: full date, "T", time with optional fraction, and Z or a numeric offset.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FEED_STRINGS = ("title", "home_page_url", "feed_url", "description", "user_comment", "next_url", "icon", "favicon", "language")
FEED_URLS = ("home_page_url", "feed_url", "next_url", "icon", "favicon")
ITEM_STRINGS = ("url", "external_url", "title", "content_html", "content_text", "summary", "image", "banner_image", "language")
ITEM_URLS = ("url", "external_url", "image", "banner_image")


def is_absolute_url(value) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


def check_authors(authors, where: str) -> list[str]:
    problems = []
    if not isinstance(authors, list) or not authors:
        return [f"{where}: authors must be a non-empty array"]
    for author in authors:
        if not isinstance(author, dict) or not any(key in author for key in ("name", "url", "avatar")):
            problems.append(f"{where}: an author is an object with name, url or avatar")
            continue
        for key in ("url", "avatar"):
            if key in author and not is_absolute_url(author[key]):
                problems.append(f"{where}: author {key} {author[key]!r} is not an absolute URL")
        if "name" in author and not (isinstance(author["name"], str) and author["name"]):
            problems.append(f"{where}: author name must be a non-empty string")
    return problems


def json_feed_problems(document) -> list[str]:
    """Every way ``document`` breaks the JSON Feed 1.1 field rules (https://www.jsonfeed.org/version/1.1/)."""
    if not isinstance(document, dict):
        return ["the top level must be an object"]
    problems = []
    if document.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version must be https://jsonfeed.org/version/1.1")
    if not isinstance(document.get("title"), str) or not document.get("title"):
        problems.append("title is required")
    for key in FEED_STRINGS:
        if key in document and not isinstance(document[key], str):
            problems.append(f"{key} must be a string")
    for key in FEED_URLS:
        if key in document and not is_absolute_url(document[key]):
            problems.append(f"{key} {document[key]!r} is not an absolute URL")
    if "authors" in document:
        problems += check_authors(document["authors"], "feed")
    if "author" in document:
        problems.append("author is deprecated in 1.1: use authors")
    for hub in document.get("hubs", []):
        if not (isinstance(hub, dict) and isinstance(hub.get("type"), str) and is_absolute_url(hub.get("url"))):
            problems.append(f"hub {hub!r} needs a type and an absolute url")
    items = document.get("items")
    if not isinstance(items, list):
        return problems + ["items is required and must be an array"]
    seen = set()
    for index, item in enumerate(items):
        where = f"item {index}"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object")
            continue
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: id must be a non-empty string")
        elif item["id"] in seen:
            problems.append(f"{where}: id {item['id']!r} is not unique")
        seen.add(item.get("id"))
        if not any(isinstance(item.get(key), str) for key in ("content_html", "content_text")):
            problems.append(f"{where}: content_html or content_text is required")
        for key in ITEM_STRINGS:
            if key in item and not isinstance(item[key], str):
                problems.append(f"{where}: {key} must be a string")
        for key in ITEM_URLS:
            if key in item and not is_absolute_url(item[key]):
                problems.append(f"{where}: {key} {item[key]!r} is not an absolute URL")
        for key in ("date_published", "date_modified"):
            if key in item and not (isinstance(item[key], str) and RFC3339.match(item[key])):
                problems.append(f"{where}: {key} {item.get(key)!r} is not RFC 3339")
        if "tags" in item and not (isinstance(item["tags"], list) and all(isinstance(t, str) for t in item["tags"])):
            problems.append(f"{where}: tags must be an array of strings")
        if "authors" in item:
            problems += check_authors(item["authors"], where)
        if "author" in item:
            problems.append(f"{where}: author is deprecated in 1.1: use authors")
    return problems


def fetch(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    document = json.loads(response.content.decode("utf-8"))
    assert json_feed_problems(document) == []
    return response, document


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def newsroom():
    llm = make_category("LLM")
    chips = make_category("半導体")
    sato = make_author("佐藤 美咲")
    team = make_author("ALLFORCES編集部", is_team=True)
    return {
        "llm": llm,
        "chips": chips,
        "sato": sato,
        "team": team,
        "older": make_article("推論コストの下げ方", category=llm, authors=[sato, team], tags=["LLM", "推論"], published_at=ago(days=2)),
        "newer": make_article("エッジAIチップの現在", category=chips, authors=[team], tags=["NVIDIA"], published_at=ago(hours=3)),
        "draft": make_article("下書きの記事", category=llm, authors=[sato], status=Article.Status.DRAFT),
        "future": make_article("来週公開の記事", category=llm, authors=[sato], published_at=timezone.now() + datetime.timedelta(days=7)),
        "review": make_article("レビュー中の記事", category=llm, authors=[sato], status=Article.Status.IN_REVIEW),
        "draft_tag": make_article("未発表製品", category=llm, authors=[sato], tags=["未発表"], status=Article.Status.DRAFT),
    }


# -- The validator itself must catch what it claims to -------------------------------------


def valid_document():
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{"id": "1", "content_html": "<p>x</p>", "date_published": "2025-04-01T09:30:00+09:00"}],
    }


@pytest.mark.parametrize(
    "break_it, expected",
    [
        (lambda d: d.pop("version"), "version"),
        (lambda d: d.pop("title"), "title is required"),
        (lambda d: d.pop("items"), "items is required"),
        (lambda d: d["items"].append(dict(d["items"][0])), "not unique"),
        (lambda d: d["items"][0].update(id=1), "id must be a non-empty string"),
        (lambda d: d["items"][0].pop("content_html"), "content_html or content_text"),
        (lambda d: d["items"][0].update(date_published="2025/04/01 09:30"), "not RFC 3339"),
        (lambda d: d["items"][0].update(url="/articles/x/"), "not an absolute URL"),
        (lambda d: d.update(feed_url="feed.json"), "not an absolute URL"),
        (lambda d: d["items"][0].update(authors=["佐藤"]), "an author is an object"),
        (lambda d: d.update(hubs=[{"type": "WebSub"}]), "hub"),
    ],
)
def test_validator_rejects_documents_that_break_the_spec(break_it, expected):
    document = valid_document()
    assert json_feed_problems(document) == []
    break_it(document)
    assert any(expected in problem for problem in json_feed_problems(document))


# -- The site feed ---------------------------------------------------------------------------


def test_site_feed_is_json_feed_1_1_with_only_published_articles_newest_first(client, newsroom):
    _, document = fetch(client, reverse("blog:feed-json"))
    assert document["version"] == VERSION
    assert [item["title"] for item in document["items"]] == ["エッジAIチップの現在", "推論コストの下げ方"]
    assert document["language"] == "ja"
    assert document["home_page_url"] == "http://testserver/"
    assert document["feed_url"] == "http://testserver/feed.json"
    assert document["title"] == "ALLFORCES — AI技術ガイド"
    assert document["icon"].endswith(".png") and document["favicon"].endswith(".png")


def test_item_carries_full_sanitized_content_summary_authors_tags_and_dates(client, newsroom):
    _, document = fetch(client, reverse("blog:feed-json"))
    item = document["items"][1]
    article = newsroom["older"]
    url = "http://testserver" + article.get_absolute_url()
    assert item["id"] == item["url"] == url
    assert "オープンソースの役割" in item["content_html"]
    assert item["content_html"].count("<h2") == 1
    assert item["summary"] == "LLMの推論コストについて解説します。"  # plain text: no markup
    assert sorted(item["authors"], key=lambda a: a["name"]) == [
        {"name": "ALLFORCES編集部", "url": "http://testserver" + newsroom["team"].get_absolute_url()},
        {"name": "佐藤 美咲", "url": "http://testserver" + newsroom["sato"].get_absolute_url()},
    ]
    assert item["tags"][0] == "LLM"  # the category first, then the tags, each once
    assert sorted(item["tags"]) == ["LLM", "推論"]
    assert datetime.datetime.fromisoformat(item["date_published"]) == article.published_at.replace(microsecond=0)
    modified = max(article.updated_at, article.published_at).replace(microsecond=0)
    assert datetime.datetime.fromisoformat(item["date_modified"]) == modified
    assert item["date_published"].endswith("+09:00")
    assert item["image"].startswith("http://testserver/og/") and item["image"].endswith(".png")
    assert item["language"] == "ja"


def test_content_is_the_html_the_other_feeds_carry_with_links_made_absolute(client):
    article = make_article(
        "相対リンクの記事",
        body="[前の記事](/articles/前回/) と [脚注](#はじめに)、![図](/media/uploads/図.png)、[外部](https://openai.com/)\n",
    )
    _, document = fetch(client, reverse("blog:feed-json"))
    content = document["items"][0]["content_html"]
    base = "http://testserver" + article.get_absolute_url()
    assert 'href="http://testserver/articles/%E5%89%8D%E5%9B%9E/"' in content
    assert f'href="{base}#%E3%81%AF%E3%81%98%E3%82%81%E3%81%AB"' in content or f'href="{base}#はじめに"' in content
    assert 'src="http://testserver/media/uploads/' in content
    assert 'href="https://openai.com/"' in content
    assert not re.search(r'(href|src)="(?!https?://)', content)


def test_feed_shows_the_same_latest_items_as_rss(client):
    category = make_category()
    for hours in range(FEED_LENGTH + 3):
        make_article(f"記事{hours:02d}", category=category, published_at=ago(hours=hours + 1))
    _, document = fetch(client, reverse("blog:feed-json"))
    assert len(document["items"]) == FEED_LENGTH
    assert document["items"][0]["title"] == "記事00"
    assert document["items"][-1]["title"] == f"記事{FEED_LENGTH - 1:02d}"


def test_empty_feed_is_still_valid(client):
    _, document = fetch(client, reverse("blog:feed-json"))
    assert document["items"] == []


def test_unpublished_articles_are_absent_from_every_json_feed(client, newsroom):
    urls = [
        reverse("blog:feed-json"),
        reverse("blog:category-feed-json", kwargs={"slug": newsroom["llm"].slug}),
        reverse("blog:author-feed-json", kwargs={"slug": newsroom["sato"].slug}),
        reverse("blog:tag-feed-json", kwargs={"slug": Tag.objects.get(name="LLM").slug}),
    ]
    hidden = {"下書きの記事", "来週公開の記事", "レビュー中の記事", "未発表製品"}
    for url in urls:
        _, document = fetch(client, url)
        assert hidden.isdisjoint(item["title"] for item in document["items"]), url
        assert document["items"], url


# -- Per-list feeds --------------------------------------------------------------------------


def test_category_tag_and_author_feeds_list_only_their_articles(client, newsroom):
    llm_tag = Tag.objects.get(name="LLM")
    cases = [
        ("blog:category-feed-json", newsroom["llm"].slug, ["推論コストの下げ方"]),
        ("blog:category-feed-json", newsroom["chips"].slug, ["エッジAIチップの現在"]),
        ("blog:tag-feed-json", llm_tag.slug, ["推論コストの下げ方"]),
        ("blog:author-feed-json", newsroom["team"].slug, ["エッジAIチップの現在", "推論コストの下げ方"]),
        ("blog:author-feed-json", newsroom["sato"].slug, ["推論コストの下げ方"]),
    ]
    for name, slug, titles in cases:
        _, document = fetch(client, reverse(name, kwargs={"slug": slug}))
        assert [item["title"] for item in document["items"]] == titles, name
        assert document["feed_url"] == "http://testserver" + reverse(name, kwargs={"slug": slug})


def test_per_list_feed_is_titled_after_its_object_and_links_its_page(client, newsroom):
    category = newsroom["llm"]
    _, document = fetch(client, reverse("blog:category-feed-json", kwargs={"slug": category.slug}))
    assert document["title"] == "LLM — ALLFORCES"
    assert document["home_page_url"] == "http://testserver" + category.get_absolute_url()
    author = newsroom["sato"]
    _, document = fetch(client, reverse("blog:author-feed-json", kwargs={"slug": author.slug}))
    assert document["authors"] == [{"name": "佐藤 美咲", "url": "http://testserver" + author.get_absolute_url()}]


@pytest.mark.parametrize("name", ["blog:category-feed-json", "blog:tag-feed-json", "blog:author-feed-json"])
@pytest.mark.parametrize("slug", ["存在しない", "x" * 300, "..", "%00", "a%2Fb"])
def test_feed_of_unknown_object_is_404(client, name, slug):
    assert client.get(reverse(name, kwargs={"slug": "placeholder"}).replace("placeholder", slug)).status_code == 404


def test_feed_of_a_tag_used_only_on_drafts_is_404(client, newsroom):
    tag = Tag.objects.get(name="未発表")
    assert client.get(reverse("blog:tag-feed-json", kwargs={"slug": tag.slug})).status_code == 404


# -- Hostile input ---------------------------------------------------------------------------


def test_hostile_markdown_and_names_are_sanitized(client):
    make_article(
        "<script>alert(1)</script> & ]]> \x0b制御文字\ufffe",
        excerpt="<img src=x onerror=alert(1)> **太字** \x1b",
        body="## 見出し\n\n<script>alert('x')</script><iframe src='javascript:alert(1)'></iframe>\n\n"
        "<a href=\"java\x01script:alert(1)\">罠</a> [リンク](javascript:alert(1)) <img src=x onerror=alert(2)> 😀👨‍👩‍👧\n",
        tags=["<b>タグ</b>", "A&B"],
        authors=[make_author("<悪意> & \"著者\"")],
    )
    response, document = fetch(client, reverse("blog:feed-json"))
    item = document["items"][0]
    assert item["title"] == "& ]]> 制御文字"
    content = item["content_html"]
    assert "<script" not in content and "<iframe" not in content
    assert "javascript:" not in content and "onerror" not in content
    assert "😀👨‍👩‍👧" in content
    assert "<" not in item["summary"] and "onerror" not in item["summary"] and "太字" in item["summary"]
    assert {"タグ", "A&B"} <= set(item["tags"])
    assert item["authors"][0]["name"] == "<悪意> & \"著者\""
    assert "\x0b" not in response.content.decode() and "\\u000b" not in response.content.decode()


def test_a_title_or_name_that_is_all_markup_is_left_out_not_empty(client):
    author = make_author("<script>名前</script>")
    make_article("<script>alert(1)</script>", authors=[author])
    _, document = fetch(client, reverse("blog:feed-json"))
    item = document["items"][0]
    assert "title" not in item
    assert item["authors"] == [{"url": "http://testserver" + author.get_absolute_url()}]
    assert item["content_html"]


# -- Conditional GET and caching --------------------------------------------------------------


def test_conditional_get_answers_304_until_an_article_changes(client, newsroom):
    url = reverse("blog:feed-json")
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    newest = max(newsroom["newer"].updated_at, newsroom["newer"].published_at)
    assert last_modified == http_date(newest.timestamp())
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    article = newsroom["newer"]
    article.title = "エッジAIチップの現在（追記あり）"
    article.save()
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=2))
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert json.loads(changed.content)["items"][0]["title"] == "エッジAIチップの現在（追記あり）"


def test_json_feed_has_its_own_etag_next_to_rss(client, newsroom):
    assert client.get(reverse("blog:feed-json"))["ETag"] != client.get(reverse("blog:feed"))["ETag"]


def test_unpublishing_an_article_drops_it_from_the_json_feed(client, newsroom):
    url = reverse("blog:feed-json")
    etag = client.get(url)["ETag"]
    older = newsroom["older"]
    older.status = Article.Status.ARCHIVED
    older.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert [item["title"] for item in json.loads(response.content)["items"]] == ["エッジAIチップの現在"]


def test_anonymous_readers_get_the_feed_from_the_page_cache(client, newsroom):
    url = reverse("blog:feed-json")
    first = client.get(url)
    second = client.get(url)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second["Content-Type"] == CONTENT_TYPE
    assert second.content == first.content


@pytest.mark.parametrize("count", [3, 12])
def test_feed_query_count_does_not_grow_with_articles(client, django_assert_num_queries, count):
    category, author = make_category(), make_author()
    for number in range(count):
        make_article(category=category, authors=[author], tags=[f"タグ{number}", "共通"])
    # the page cache's next-scheduled-change lookup, validators, items, authors, tags
    with django_assert_num_queries(5):
        fetch(client, reverse("blog:feed-json"))
    url = reverse("blog:category-feed-json", kwargs={"slug": category.slug})
    # validators, items, authors, tags + the category itself (the next change is cached now)
    with django_assert_num_queries(5):
        etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


# -- Settings and discovery -------------------------------------------------------------------


def test_hubs_are_declared_only_when_a_hub_is_configured(client, newsroom, settings):
    _, document = fetch(client, reverse("blog:feed-json"))
    assert "hubs" not in document
    settings.WEBSUB_HUB = "https://hub.example/"
    _, document = fetch(client, reverse("blog:tag-feed-json", kwargs={"slug": Tag.objects.get(name="LLM").slug}))
    assert document["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]


def test_links_use_site_url_when_configured(client, newsroom, settings):
    settings.SITE_URL = "https://allforces.example"
    _, document = fetch(client, reverse("blog:feed-json"))
    assert document["feed_url"] == "https://allforces.example/feed.json"
    assert document["home_page_url"] == "https://allforces.example/"
    item = document["items"][0]
    assert item["url"] == "https://allforces.example" + newsroom["newer"].get_absolute_url()
    assert item["image"].startswith("https://allforces.example/og/")
    assert all(author["url"].startswith("https://allforces.example/") for author in item["authors"])


def test_every_page_links_the_site_json_feed(client, newsroom):
    link = f'<link rel="alternate" type="application/feed+json" title="ALLFORCES — 新着記事 (JSON Feed)" href="{reverse("blog:feed-json")}">'
    assert link in client.get(reverse("blog:article-list")).content.decode()
    assert link in client.get(newsroom["older"].get_absolute_url()).content.decode()


@pytest.mark.parametrize("kind, key", [("category", "llm"), ("author", "sato"), ("tag", None)])
def test_list_pages_link_their_own_json_feed(client, newsroom, kind, key):
    obj = newsroom[key] if key else Tag.objects.get(name="推論")
    html = client.get(obj.get_absolute_url()).content.decode()
    href = reverse(f"blog:{kind}-feed-json", kwargs={"slug": obj.slug})
    assert f'type="application/feed+json"' in html
    assert f'href="{href}"' in html
