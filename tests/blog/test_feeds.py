import datetime

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from blog.feeds import FEED_LENGTH
from blog.models import Article, Tag
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

FEEDS = ["blog:feed", "blog:feed-atom"]


def parse(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:500]
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return response, feed


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
    }


@pytest.mark.parametrize("name", FEEDS)
def test_site_feed_lists_only_published_articles_newest_first(client, newsroom, name):
    _, feed = parse(client, reverse(name))
    assert [e.title for e in feed.entries] == ["エッジAIチップの現在", "推論コストの下げ方"]


@pytest.mark.parametrize("name", FEEDS)
def test_feed_item_carries_full_content_summary_authors_terms_and_dates(client, newsroom, name):
    _, feed = parse(client, reverse(name))
    entry = feed.entries[1]
    article = newsroom["older"]
    url = "http://testserver" + article.get_absolute_url()
    assert entry.link == url
    assert entry.id == url
    assert "<strong>推論コスト</strong>" in entry.summary
    assert "オープンソースの役割" in entry.content[0].value
    assert entry.content[0].value.count("<h2") == 1
    assert sorted(a.name for a in entry.authors) == sorted(["佐藤 美咲", "ALLFORCES編集部"])
    assert {t.term for t in entry.tags} == {"LLM", "推論"}
    published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.timezone.utc)
    assert published == article.published_at.replace(microsecond=0)
    if name == "blog:feed-atom":
        updated = datetime.datetime(*entry.updated_parsed[:6], tzinfo=datetime.timezone.utc)
        assert updated == max(article.updated_at, article.published_at).replace(microsecond=0)


@pytest.mark.parametrize("name", FEEDS)
def test_channel_has_language_self_link_and_last_build_date(client, newsroom, name):
    response, feed = parse(client, reverse(name))
    assert feed.feed.language == "ja"
    assert {"rel": "self", "href": "http://testserver" + reverse(name)}.items() <= {
        k: v for link in feed.feed.links if link.rel == "self" for k, v in link.items()
    }.items()
    assert feed.feed.updated_parsed is not None
    newest = max(newsroom["newer"].updated_at, newsroom["newer"].published_at)
    assert response["Last-Modified"] == http_date(newest.timestamp())


def test_rss_declares_content_encoded_and_dublin_core(client, newsroom):
    body = client.get(reverse("blog:feed")).content.decode()
    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in body
    assert "<content:encoded>" in body
    assert "<dc:creator>佐藤 美咲</dc:creator>" in body
    assert 'isPermaLink="true"' in body


def test_feed_shows_the_latest_twenty(client):
    category = make_category()
    for hours in range(FEED_LENGTH + 3):
        make_article(f"記事{hours:02d}", category=category, published_at=ago(hours=hours + 1))
    _, feed = parse(client, reverse("blog:feed"))
    assert len(feed.entries) == FEED_LENGTH
    assert feed.entries[0].title == "記事00"
    assert feed.entries[-1].title == f"記事{FEED_LENGTH - 1:02d}"


@pytest.mark.parametrize("suffix", ["", "-atom"])
def test_category_tag_and_author_feeds_list_only_their_articles(client, newsroom, suffix):
    llm_tag = Tag.objects.get(name="LLM")
    cases = [
        (f"blog:category-feed{suffix}", newsroom["llm"].slug, ["推論コストの下げ方"]),
        (f"blog:category-feed{suffix}", newsroom["chips"].slug, ["エッジAIチップの現在"]),
        (f"blog:tag-feed{suffix}", llm_tag.slug, ["推論コストの下げ方"]),
        (f"blog:author-feed{suffix}", newsroom["team"].slug, ["エッジAIチップの現在", "推論コストの下げ方"]),
        (f"blog:author-feed{suffix}", newsroom["sato"].slug, ["推論コストの下げ方"]),
    ]
    for name, slug, titles in cases:
        _, feed = parse(client, reverse(name, kwargs={"slug": slug}))
        assert [e.title for e in feed.entries] == titles, name


def test_per_list_feed_is_titled_after_its_object(client, newsroom):
    _, feed = parse(client, reverse("blog:category-feed", kwargs={"slug": newsroom["llm"].slug}))
    assert feed.feed.title.startswith("LLM — ")
    assert feed.feed.link == "http://testserver" + newsroom["llm"].get_absolute_url()


@pytest.mark.parametrize("name", ["blog:category-feed", "blog:tag-feed-atom", "blog:author-feed"])
def test_feed_of_unknown_object_is_404(client, name):
    assert client.get(reverse(name, kwargs={"slug": "存在しない"})).status_code == 404


def test_empty_feed_is_still_valid(client):
    _, feed = parse(client, reverse("blog:feed-atom"))
    assert feed.entries == []


@pytest.mark.parametrize("name", FEEDS)
def test_hostile_content_still_gives_well_formed_feeds(client, name):
    make_article(
        "<script>alert(1)</script> & ]]> \x0b\x0c制御文字\ufffe",
        excerpt="<img src=x onerror=alert(1)> **太字** ]]> \x1b",
        body="## 見出し\n\n<script>alert('x')</script><iframe src='javascript:alert(1)'></iframe>\n\n"
        "<![CDATA[ ]]> ]]> &amp; &bogus; <!-- コメント --> \x0c\n\n[リンク](javascript:alert(1)) 😀👨‍👩‍👧\n",
        tags=["<b>タグ</b>", "A&B"],
        authors=[make_author("<悪意> & \"著者\"")],
    )
    _, feed = parse(client, reverse(name))
    entry = feed.entries[0]
    # Titles and names are plain text: markup stripped (a script with its content), not escaped.
    assert entry.title == "& ]]> 制御文字"
    content = entry.content[0].value
    assert "<script" not in content and "javascript:" not in content and "<iframe" not in content
    assert "😀👨‍👩‍👧" in content
    assert "onerror" not in entry.summary and "<strong>太字</strong>" in entry.summary
    assert {t.term for t in entry.tags} >= {"タグ", "A&B"}
    assert entry.authors[0].name == "<悪意> & \"著者\""


@pytest.mark.parametrize("name", FEEDS)
def test_conditional_get_answers_304_until_an_article_changes(client, newsroom, name):
    url = reverse(name)
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    article = newsroom["newer"]
    article.title = "エッジAIチップの現在（追記あり）"
    article.save()
    # Last-Modified has one-second resolution: move the edit clearly past the first response.
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=2))
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_unpublishing_an_article_changes_the_etag(client, newsroom):
    url = reverse("blog:feed")
    etag = client.get(url)["ETag"]
    older = newsroom["older"]
    older.status = Article.Status.ARCHIVED
    older.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert len(feedparser.parse(response.content).entries) == 1


@pytest.mark.parametrize("count", [3, 12])
def test_feed_query_count_does_not_grow_with_articles(client, django_assert_num_queries, count):
    category, author = make_category(), make_author()
    for number in range(count):
        make_article(category=category, authors=[author], tags=[f"タグ{number}", "共通"])
    # the page cache's next-scheduled-change lookup, validators, items, authors, tags
    with django_assert_num_queries(5):
        client.get(reverse("blog:feed"))
    url = reverse("blog:category-feed", kwargs={"slug": category.slug})
    # validators, items, authors, tags + the category itself (the next change is cached now)
    with django_assert_num_queries(5):
        etag = client.get(url)["ETag"]
    # a reader whose copy is current is answered from the page cache
    with django_assert_num_queries(0):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_feed_links_use_site_url_when_configured(client, newsroom, settings):
    settings.SITE_URL = "https://allforces.example"
    _, feed = parse(client, reverse("blog:feed-atom"))
    assert feed.entries[0].link == "https://allforces.example" + newsroom["newer"].get_absolute_url()
    assert any(link.href == "https://allforces.example/feed/atom/" for link in feed.feed.links if link.rel == "self")


def test_every_page_links_the_site_feed(client, newsroom):
    html = client.get(reverse("blog:article-list")).content.decode()
    assert f'type="application/rss+xml" title="ALLFORCES — 新着記事 (RSS)" href="{reverse("blog:feed")}"' in html
    assert f'href="{reverse("blog:feed-atom")}"' in html
    html = client.get(newsroom["older"].get_absolute_url()).content.decode()
    assert f'href="{reverse("blog:feed")}"' in html


@pytest.mark.parametrize(
    "kind, key",
    [("category", "llm"), ("author", "sato")],
)
def test_list_pages_link_their_own_feeds(client, newsroom, kind, key):
    obj = newsroom[key]
    html = client.get(obj.get_absolute_url()).content.decode()
    assert f'href="{reverse(f"blog:{kind}-feed", kwargs={"slug": obj.slug})}"' in html
    assert f'href="{reverse(f"blog:{kind}-feed-atom", kwargs={"slug": obj.slug})}"' in html


def test_tag_page_links_its_own_feed(client, newsroom):
    tag = Tag.objects.get(name="推論")
    html = client.get(tag.get_absolute_url()).content.decode()
    assert f'href="{reverse("blog:tag-feed", kwargs={"slug": tag.slug})}"' in html


def test_renaming_a_tag_changes_the_site_feed_etag(client, newsroom):
    url = reverse("blog:feed")
    etag = client.get(url)["ETag"]
    tag = newsroom["newer"].tags.first()
    tag.name = "改名されたタグ"
    tag.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "改名されたタグ" in {t.term for entry in feedparser.parse(response.content).entries for t in entry.tags}
