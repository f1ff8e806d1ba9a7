"""The anonymous page cache: hits, invalidation on every kind of change, staff freshness,
conditional GET and CDN headers. Changes are made the way the workflow makes them: set
the fields and ``save()`` (or delete, or merge)."""

import datetime
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from blog import stored_html
from blog.models import Article, Tag
from tests.factories import make_article, make_category, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return Client()


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def test_second_anonymous_request_is_served_from_cache_without_queries(reader, django_assert_num_queries):
    article = make_article("キャッシュされる記事")
    first, _ = get(reader, "/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second, body = get(reader, "/")
    assert second["X-Page-Cache"] == "hit"
    assert article.title in body


def test_publishing_shows_on_the_next_request(reader):
    draft = make_article("予約前の下書き記事", status=Article.Status.DRAFT)
    assert draft.title not in get(reader, "/")[1]
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - datetime.timedelta(minutes=1)
    draft.save()
    response, body = get(reader, "/")
    assert response["X-Page-Cache"] == "miss"
    assert draft.title in body
    assert get(reader, draft.get_absolute_url())[0].status_code == 200


def test_unpublishing_removes_the_article_on_the_next_request(reader):
    article = make_article("取り下げられる記事")
    url = article.get_absolute_url()
    assert get(reader, url)[0].status_code == 200
    assert article.title in get(reader, "/")[1]
    assert get(reader, url)[0]["X-Page-Cache"] == "hit"
    article.status = Article.Status.DRAFT
    article.save()
    assert get(reader, url)[0].status_code == 404
    assert article.title not in get(reader, "/")[1]


def test_editing_a_published_article_shows_the_new_text(reader):
    article = make_article("編集前のタイトル")
    url = article.get_absolute_url()
    get(reader, url)
    assert get(reader, url)[0]["X-Page-Cache"] == "hit"
    article.title = "編集後のタイトル"
    article.body = "## 新しい本文\n\n訂正後の本文です。"
    article.save()
    _, body = get(reader, url)
    assert "編集後のタイトル" in body and "訂正後の本文です" in body
    assert "編集後のタイトル" in get(reader, "/")[1]


def test_renaming_a_tag_shows_on_article_and_tag_pages(reader):
    article = make_article("タグ付きの記事", tags=["旧タグ名"])
    tag = Tag.objects.get(name="旧タグ名")
    get(reader, article.get_absolute_url())
    get(reader, tag.get_absolute_url())
    tag.name = "新タグ名"
    tag.save()
    assert "新タグ名" in get(reader, article.get_absolute_url())[1]
    assert "新タグ名" in get(reader, tag.get_absolute_url())[1]


def test_merging_tags_shows_on_the_next_request(reader):
    article = make_article("統合される記事", tags=["機械学習"])
    source = Tag.objects.get(name="機械学習")
    target = Tag.objects.create(name="ML")
    source_url = source.get_absolute_url()
    assert get(reader, source_url)[0].status_code == 200
    assert article.title not in get(reader, target.get_absolute_url())[1]
    source.merge_into(target)
    # the old address leads to the tag it was merged into (its name is an alias of it now)
    moved = get(reader, source_url)[0]
    assert (moved.status_code, moved["Location"]) == (302, target.get_absolute_url())
    assert article.title in get(reader, target.get_absolute_url())[1]


def test_renaming_a_category_shows_on_the_next_request(reader):
    category = make_category("旧カテゴリー")
    article = make_article("カテゴリーの記事", category=category)
    assert "旧カテゴリー" in get(reader, article.get_absolute_url())[1]
    category.name = "新カテゴリー"
    category.save()
    assert "新カテゴリー" in get(reader, article.get_absolute_url())[1]
    assert "新カテゴリー" in get(reader, "/")[1]


def test_changing_tags_of_an_article_shows_on_the_next_request(reader):
    article = make_article("タグ変更の記事", tags=["前のタグ"])
    get(reader, article.get_absolute_url())
    article.tags.set(["後のタグ"])
    assert "後のタグ" in get(reader, article.get_absolute_url())[1]


def test_scheduled_article_appears_when_its_time_comes_without_any_save(reader):
    now = timezone.now()
    scheduled = make_article("予約公開の記事", published_at=now + datetime.timedelta(minutes=10))
    assert scheduled.title not in get(reader, "/")[1]
    assert get(reader, "/")[0]["X-Page-Cache"] == "hit"
    # The CDN may not keep the page past the publication time either.
    assert "s-maxage=60" in get(reader, "/")[0]["Cache-Control"]
    later = now + datetime.timedelta(minutes=10, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response, body = get(reader, "/")
        assert response["X-Page-Cache"] == "miss"
        assert scheduled.title in body
        assert get(reader, scheduled.get_absolute_url())[0].status_code == 200


def test_cdn_lifetime_is_capped_by_the_next_scheduled_publication(reader):
    make_article("まもなく公開", published_at=timezone.now() + datetime.timedelta(seconds=20))
    response, _ = get(reader, "/")
    max_age = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 0 <= max_age <= 20


def test_a_scheduled_status_article_also_caps_the_lifetime(reader):
    make_article("予約済みの記事", status=Article.Status.SCHEDULED, published_at=timezone.now() + datetime.timedelta(seconds=30))
    response, _ = get(reader, "/")
    max_age = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert max_age <= 30


def test_deleting_an_article_removes_it(reader):
    article = make_article("削除される記事")
    assert article.title in get(reader, "/")[1]
    article.delete()
    assert article.title not in get(reader, "/")[1]


def test_staff_always_get_a_fresh_private_page(reader):
    article = make_article("スタッフが見る記事")
    get(reader, "/")
    staff = Client()
    staff.force_login(make_user("editor"))
    response = staff.get("/")
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]
    Article.objects.filter(pk=article.pk).update(title="キャッシュを経由しない変更")  # no signal on purpose
    stored_html.refresh([article.pk])  # the stored card follows (as code writing around save() must): still no signal
    assert "キャッシュを経由しない変更" in staff.get("/").content.decode()


def test_anonymous_pages_carry_cdn_friendly_headers(reader):
    make_article()
    response, _ = get(reader, "/")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "s-maxage=60" in cache_control and "max-age=0" in cache_control
    assert "Cookie" in response["Vary"]
    assert response["ETag"] and response["Last-Modified"]


def test_conditional_get_answers_304_by_etag_and_by_date(reader):
    article = make_article()
    url = article.get_absolute_url()
    first, _ = get(reader, url)
    by_etag = reader.get(url, headers={"If-None-Match": first["ETag"]})
    assert by_etag.status_code == 304
    by_date = reader.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert by_date.status_code == 304
    article.title = "更新されたタイトル"
    article.save()
    assert reader.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_tracking_parameters_share_the_cached_page(reader):
    make_article()
    get(reader, "/")
    assert get(reader, "/?utm_source=x&fbclid=1")[0]["X-Page-Cache"] == "hit"
    # page=1 is the first page itself: one page, kept once (tests/security/test_cache_keys.py).
    assert get(reader, "/?page=1")[0]["X-Page-Cache"] == "hit"


def test_error_pages_and_admin_are_not_cached(reader):
    assert get(reader, "/articles/no-such-article/")[0].status_code == 404
    assert "X-Page-Cache" not in get(reader, "/articles/no-such-article/")[0]
    assert "X-Page-Cache" not in reader.get("/admin/login/")


def test_search_results_are_cached_per_query_once_asked_for_twice(reader):
    url = make_article("推論の記事").get_absolute_url()
    first = reader.get("/search/", {"q": "推論"})
    assert url in first.content.decode() and "X-Page-Cache" not in first  # answered, not kept
    assert reader.get("/search/", {"q": "推論"})["X-Page-Cache"] == "miss"  # asked again: kept
    assert reader.get("/search/", {"q": " 推論 "})["X-Page-Cache"] == "hit"
    assert url not in reader.get("/search/", {"q": "量子"}).content.decode()


def test_page_cache_can_be_turned_off(reader, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_article()
    get(reader, "/")
    assert "X-Page-Cache" not in get(reader, "/")[0]
