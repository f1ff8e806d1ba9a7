"""Pages not served whole (page cache off) keep cards, counts and the navigation under the cache
tags of what they show: never stale, and cheaper once warm."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import stored_html
from blog.models import Article, Tag
from tests.factories import make_article, make_category, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 600


def body(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_warm_list_page_skips_the_count_the_navigation_and_the_card_relations(client):
    for number in range(15):
        make_article(f"記事{number}")
    cold = queries(client, "/")
    warm = queries(client, "/")
    assert warm == 1  # the page's articles only
    assert cold > warm


def test_editing_an_article_renaming_a_tag_or_a_category_changes_its_card(client):
    category = make_category("古いカテゴリー")
    article = make_article("古い題名", tags=["古いタグ"], category=category)
    assert "古い題名" in body(client, "/")
    article.title = "新しい題名"
    article.save()
    assert "新しい題名" in body(client, "/")
    tag = Tag.objects.get(name="古いタグ")
    tag.name = "新しいタグ"
    tag.save()
    assert "#新しいタグ" in body(client, "/")
    category.name = "新しいカテゴリー"
    category.save()
    html = body(client, "/")
    assert "古いカテゴリー" not in html and "新しいカテゴリー" in html


def test_unpublishing_changes_the_count_and_the_list(client):
    articles = [make_article(f"記事{number}") for number in range(13)]
    assert "1 / 2 ページ" in body(client, "/")
    articles[0].status = Article.Status.DRAFT
    articles[0].save()
    html = body(client, "/")
    assert "1 / 2 ページ" not in html and articles[0].title not in html


def test_a_scheduled_article_appears_in_list_count_and_navigation_when_its_time_comes(client):
    now = timezone.now()
    make_article("既存の記事", category=make_category("既存"))
    scheduled = make_article(
        "予約の記事", category=make_category("予約カテゴリー"), published_at=now + datetime.timedelta(minutes=5)
    )
    html = body(client, "/")
    assert scheduled.title not in html and "予約カテゴリー" not in html
    later = now + datetime.timedelta(minutes=5, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        html = body(client, "/")
    assert scheduled.title in html and "予約カテゴリー" in html


def test_staff_see_changes_made_without_any_signal(client):
    article = make_article("スタッフが見る記事")
    staff = Client()
    staff.force_login(make_user("editor"))
    body(client, "/"), body(staff, "/")
    Article.objects.filter(pk=article.pk).update(title="シグナルなしの変更")
    stored_html.refresh([article.pk])  # the stored card follows (as code writing around save() must): still no signal
    assert "シグナルなしの変更" in body(staff, "/")


def test_fragment_cache_can_be_turned_off(client, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    article = make_article("切り替えの記事")
    body(client, "/")
    Article.objects.filter(pk=article.pk).update(title="即時の変更")
    stored_html.refresh([article.pk])  # the stored card follows (as code writing around save() must): still no signal
    assert "即時の変更" in body(client, "/")


def test_a_warm_article_page_reads_the_article_only(client):
    article = make_article("本体の記事", tags=["共有タグ"])
    for number in range(5):
        make_article(f"関連{number}", tags=["共有タグ"])
    cold = queries(client, article.get_absolute_url())
    assert queries(client, article.get_absolute_url()) == 1 < cold  # related cards are kept
    assert body(client, article.get_absolute_url()).count('class="card"') == 4


def test_renaming_a_tag_or_author_changes_the_article_header_and_meta_tags(client):
    article = make_article("見出しの記事", tags=["旧名タグ"])
    html = body(client, article.get_absolute_url())
    assert 'content="旧名タグ"' in html and "#旧名タグ" in html
    tag = Tag.objects.get(name="旧名タグ")
    tag.name = "新名タグ"
    tag.save()
    html = body(client, article.get_absolute_url())
    assert 'content="新名タグ"' in html and "#新名タグ" in html and "旧名タグ" not in html
    author = article.authors.get()
    author.name = "改名した記者"
    author.save()
    assert "改名した記者" in body(client, article.get_absolute_url())


def test_meta_tags_follow_the_host_they_were_asked_on(client, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    article = make_article("ホストの記事")
    assert "http://a.example/" in client.get(article.get_absolute_url(), HTTP_HOST="a.example").content.decode()
    html = client.get(article.get_absolute_url(), HTTP_HOST="b.example").content.decode()
    assert "http://b.example/" in html and "a.example" not in html


def result_count(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.context["paginator"].count


def result_titles(client, q, page=1):
    response = client.get("/search/", {"q": q, "page": page})
    assert response.status_code == 200
    return [article.title for article in response.context["articles"]]


def test_a_repeated_search_reuses_its_count_and_its_page_of_ids(client):
    for number in range(3):
        make_article(f"推論の記事{number}")
    queries(client, "/search/?q=推論")
    queries(client, "/search/?q=推論")  # asked for twice: now remembered
    with CaptureQueriesContext(connection) as captured:
        assert result_count(client, "推論") == 3
    assert len(captured) == 1  # the page's articles: no count, no search for their ids
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)
    # the same terms in another order are the same count
    make_article("推論とGPUの記事", body="GPU")
    assert result_count(client, "推論 GPU") == 1
    assert result_count(client, "GPU 推論") == 1  # the second time: remembered
    with CaptureQueriesContext(connection) as captured:
        assert result_count(client, "GPU 推論") == 1
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)


def test_remembered_search_pages_follow_publishing_editing_and_paging(client):
    now = timezone.now()
    for number in range(13):
        make_article(f"蒸留の記事{number:02}", published_at=now - datetime.timedelta(hours=number + 1))
    assert result_titles(client, "蒸留")[0] == "蒸留の記事00"
    assert result_titles(client, "蒸留", page=2) == ["蒸留の記事12"]
    make_article("蒸留の新しい記事", published_at=now - datetime.timedelta(minutes=1))
    assert result_titles(client, "蒸留")[0] == "蒸留の新しい記事"
    assert result_titles(client, "蒸留", page=2) == ["蒸留の記事11", "蒸留の記事12"]
    moved = Article.objects.get(title="蒸留の記事05")
    moved.title = "題名から語が消えた記事"
    moved.body = "本文にも残っていない。"
    moved.save()
    assert "題名から語が消えた記事" not in result_titles(client, "蒸留")
    assert result_count(client, "蒸留") == 13


def test_a_remembered_search_count_follows_publishing_unpublishing_and_the_clock(client):
    now = timezone.now()
    first = make_article("量子化の基礎")
    assert result_count(client, "量子化") == 1
    second = make_article("量子化の応用")
    assert result_count(client, "量子化") == 2
    first.status = Article.Status.DRAFT
    first.save()
    assert result_count(client, "量子化") == 1
    make_article("量子化の予約記事", published_at=now + datetime.timedelta(minutes=5))
    assert result_count(client, "量子化") == 1
    with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(minutes=5, seconds=1)):
        assert result_count(client, "量子化") == 2
    Article.objects.filter(pk=second.pk).update(title="別の題名")  # no signal: anonymous readers keep the count
    staff = Client()
    staff.force_login(make_user("editor"))
    assert result_count(staff, "量子化") == 1  # staff always count afresh


def cards_html(html):
    start = html.index('<div class="cards">')
    return html[start : html.index('<nav class="pagination"', start) if '<nav class="pagination"' in html else None]


def test_a_warm_list_page_shows_the_same_cards_from_the_cache_and_reads_only_its_ids(client):
    category = make_category("カード")
    for number in range(14):
        make_article(f"カードの記事{number:02}", tags=["GPU", f"タグ{number}"], category=category)
    for url in ["/", "/?page=2", category.get_absolute_url(), "/tags/gpu/"]:
        cold = cards_html(body(client, url))
        with CaptureQueriesContext(connection) as captured:
            warm = cards_html(body(client, url))
        assert warm == cold, url
        assert len(captured) <= 2, url  # the page's ids (and the tag or category it lists)
        assert 'SELECT "blog_article"."id" FROM' in captured.captured_queries[-1]["sql"].replace(' AS "pk"', "")
    home = body(client, "/")
    newest_first = [f"カードの記事{number:02}" for number in range(13, 1, -1)]
    assert [home.index(title) for title in newest_first] == sorted(home.index(title) for title in newest_first)


def test_a_warm_search_page_shows_the_same_cards_with_kept_details(client):
    category = make_category("検索カード")
    for number in range(14):
        make_article(f"量子化の記事{number:02}", tags=["GPU"], category=category, body="量子化で推論を速くする。")
    cold = cards_html(body(client, "/search/?q=量子化"))
    assert cards_html(body(client, "/search/?q=量子化")) == cold  # asked for twice: now remembered
    with CaptureQueriesContext(connection) as captured:
        warm = cards_html(body(client, "/search/?q=量子化"))
    assert warm == cold
    assert len(captured) == 1  # titles, addresses and text of the page's articles
    assert "検索カード" in warm and "#GPU" in warm and "<mark>量子化</mark>" in warm
    tag = Tag.objects.get(name="GPU")
    tag.name = "半導体"
    tag.save()
    renamed = cards_html(body(client, "/search/?q=量子化"))
    assert "#半導体" in renamed and "#GPU" not in renamed


def test_a_page_asks_the_cache_for_the_generation_once_and_a_hit_is_one_read(client, settings):
    from blog.cache import store

    for number in range(3):
        make_article(f"版の記事{number}", tags=["GPU"])
    body(client, "/search/?q=版"), body(client, "/")
    with mock.patch("blog.cache.store.generation", wraps=store.generation) as asked:
        body(client, "/search/?q=版")
        body(client, "/")
    assert asked.call_count == 2  # one per request, however many fragments each page keeps
    settings.PAGE_CACHE_SECONDS = 600
    body(client, "/")
    real = store.cache
    with mock.patch("blog.cache.store.cache") as backend:
        backend.get_many.side_effect = real.get_many
        response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    # the page and the generation together; nothing else asked of the cache
    assert [call[0] for call in backend.method_calls] == ["get_many"]


def test_a_warm_article_page_is_the_cold_page(client):
    article = make_article("同じページ", tags=["共有タグ", "GPU"], category=make_category("ハード"))
    for number in range(3):
        make_article(f"関連{number}", tags=["共有タグ"])
    cold = body(client, article.get_absolute_url())
    with mock.patch("blog.cache.fragments.prefetch_related_objects") as prefetched:
        warm = body(client, article.get_absolute_url())
    assert warm == cold
    assert not prefetched.called  # header and meta tags were handed over: no authors or tags read
    assert 'property="og:title"' in warm and "#GPU" in warm and "ハード" in warm


def test_warm_tag_category_and_author_pages_read_only_their_ids_and_follow_deletes(client):
    category = make_category("覚えるカテゴリー")
    article = make_article("覚える記事", tags=["覚えるタグ"], category=category)
    author = article.authors.first()
    tag = Tag.objects.get(name="覚えるタグ")
    for url in [tag.get_absolute_url(), category.get_absolute_url(), author.get_absolute_url()]:
        body(client, url)
        assert queries(client, url) == 1, url  # the page's ids: the tag, category or author is kept
    url = tag.get_absolute_url()
    tag.delete()
    assert client.get(url).status_code == 404
    assert client.get("/tags/no-such-tag/").status_code == 404
