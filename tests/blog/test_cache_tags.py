"""Invalidation by what changed: each change drops the kept pages that show it, and only those,
and tells the CDN the same tags. Every rule is checked both ways: the pages showing the change
are fresh on the next request, and the pages not showing it are still served from the cache."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from blog.models import Article, Tag
from editorial.models import Revision, ReviewComment
from tests.factories import make_article, make_author, make_category, make_picture, make_series, make_user

pytestmark = pytest.mark.django_db


class FakeCdn:
    """A CDN that records the tags it is asked to purge (``DJANGO_CDN_PURGE``)."""

    purges: list[list[str]] = []

    def __call__(self, tags):
        FakeCdn.purges.append(list(tags))


@pytest.fixture
def cdn(settings):
    settings.CDN_PURGE = "tests.blog.test_cache_tags.FakeCdn"
    FakeCdn.purges = []
    return FakeCdn


@pytest.fixture
def reader():
    return Client()


def kept(reader, *urls):
    """Request each URL until the cache keeps it; the next request is a hit."""
    for url in urls:
        reader.get(url)
        assert reader.get(url)["X-Page-Cache"] == "hit", url


def state(reader, url) -> str:
    return reader.get(url)["X-Page-Cache"]


def purged(cdn) -> set[str]:
    return {tag for purge in cdn.purges for tag in purge}


@pytest.fixture
def site():
    """Two unrelated articles (no tag, category or author in common) and one beside the first."""
    a = make_article("記事A", tags=["量子化"], category=make_category("ハードウェア"), authors=[make_author("記者A")])
    b = make_article("記事B", tags=["倫理"], category=make_category("社会"), authors=[make_author("記者B")])
    return {"a": a, "b": b, "tag_a": Tag.objects.get(name="量子化"), "tag_b": Tag.objects.get(name="倫理")}


def test_a_draft_save_invalidates_nothing_and_purges_nothing(reader, site, cdn, django_capture_on_commit_callbacks):
    urls = ["/", site["a"].get_absolute_url(), site["b"].get_absolute_url(), site["tag_a"].get_absolute_url(), "/feed/"]
    kept(reader, *urls)
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article("書きかけ", status=Article.Status.DRAFT, tags=["量子化"], category=site["a"].category)
        draft.body = "二稿目の本文。"
        draft.save()
        draft.status = Article.Status.IN_REVIEW
        draft.save()
        draft.tags.add("倫理")
        draft.authors.add(site["a"].authors.get())
    assert [state(reader, url) for url in urls] == ["hit"] * len(urls)
    assert cdn.purges == []


def test_editorial_rows_invalidate_nothing(reader, site, cdn, django_capture_on_commit_callbacks):
    url = site["a"].get_absolute_url()
    kept(reader, url, "/")
    editor = make_user("editor")
    with django_capture_on_commit_callbacks(execute=True):
        ReviewComment.objects.create(article=site["a"], body="ここを直してください。", created_by=editor)
        Revision.objects.create(article=site["a"], title="記事A", body="旧版", created_by=editor)
    assert state(reader, url) == state(reader, "/") == "hit"
    assert cdn.purges == []


def test_editing_a_published_article_refreshes_its_page_and_lists_but_not_other_articles(
    reader, site, cdn, django_capture_on_commit_callbacks
):
    a, b = site["a"], site["b"]
    showing = ["/", a.get_absolute_url(), site["tag_a"].get_absolute_url(), a.category.get_absolute_url(), "/feed/"]
    not_showing = [b.get_absolute_url(), site["tag_b"].get_absolute_url(), b.category.get_absolute_url()]
    kept(reader, *showing, "/sitemap.xml", *not_showing)
    with django_capture_on_commit_callbacks(execute=True):
        a.title = "記事A（訂正版）"
        a.save()
    for url in showing:
        response = reader.get(url)
        assert response["X-Page-Cache"] == "miss", url
        assert "記事A（訂正版）" in response.content.decode(), url
    assert state(reader, "/sitemap.xml") == "miss"  # its date of last change
    assert [state(reader, url) for url in not_showing] == ["hit"] * len(not_showing)
    assert f"article:{a.pk}" in purged(cdn) and f"article:{b.pk}" not in purged(cdn)


def test_a_remembered_search_follows_an_edit(reader, site):
    url = "/search/?q=" + "訂正"
    reader.get(url), reader.get(url)
    assert state(reader, url) == "hit" and "記事A" not in reader.get(url).content.decode()
    site["a"].body = "訂正された本文。"
    site["a"].save()
    assert "記事A" in reader.get(url).content.decode()


def test_publishing_shows_in_its_lists_and_leaves_unrelated_article_pages_kept(reader, site, cdn, django_capture_on_commit_callbacks):
    a, b = site["a"], site["b"]
    draft = make_article("新着記事", status=Article.Status.DRAFT, tags=["量子化"], category=a.category, authors=list(a.authors.all()))
    lists = ["/", site["tag_a"].get_absolute_url(), a.category.get_absolute_url(), "/feed/"]
    kept(reader, *lists, b.get_absolute_url(), site["tag_b"].get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Article.Status.PUBLISHED
        draft.published_at = timezone.now() - datetime.timedelta(minutes=1)
        draft.save()
    for url in lists:
        assert "新着記事" in reader.get(url).content.decode(), url
    assert reader.get(draft.get_absolute_url()).status_code == 200
    assert state(reader, b.get_absolute_url()) == state(reader, site["tag_b"].get_absolute_url()) == "hit"
    assert {"articles", f"tag:{site['tag_a'].pk}:articles"} <= purged(cdn)


def test_unpublishing_removes_the_article_and_leaves_other_articles_kept(reader, site):
    a, b = site["a"], site["b"]
    make_article("同じカテゴリーの記事", tags=["別のタグ"], category=a.category)  # the navigation stays as it is
    kept(reader, a.get_absolute_url(), "/", site["tag_a"].get_absolute_url(), b.get_absolute_url())
    a.status = Article.Status.DRAFT
    a.save()
    assert reader.get(a.get_absolute_url()).status_code == 404
    assert "記事A" not in reader.get("/").content.decode()
    assert reader.get(site["tag_a"].get_absolute_url()).status_code == 404  # its only article is gone
    assert state(reader, b.get_absolute_url()) == "hit"


def test_scheduling_caps_kept_pages_until_the_time_passes(reader, site):
    now = timezone.now()
    kept(reader, "/", site["b"].get_absolute_url())
    make_article("予約記事", status=Article.Status.SCHEDULED, published_at=now + datetime.timedelta(minutes=5), category=site["a"].category)
    assert state(reader, "/") == "miss"  # the site's list is capped at the scheduled time now
    assert state(reader, site["b"].get_absolute_url()) == "hit"
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(minutes=5, seconds=1)):
        assert "予約記事" in reader.get("/").content.decode()


def test_renaming_a_tag_refreshes_its_pages_and_the_articles_showing_it_only(reader, site, cdn, django_capture_on_commit_callbacks):
    a, b, tag = site["a"], site["b"], site["tag_a"]
    kept(reader, a.get_absolute_url(), tag.get_absolute_url(), "/tags/", b.get_absolute_url(), site["tag_b"].get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "量子化技術"
        tag.save()
    for url in [a.get_absolute_url(), tag.get_absolute_url(), "/tags/"]:
        assert "量子化技術" in reader.get(url).content.decode(), url
    assert state(reader, b.get_absolute_url()) == state(reader, site["tag_b"].get_absolute_url()) == "hit"
    assert f"tag:{tag.pk}" in purged(cdn) and f"tag:{site['tag_b'].pk}" not in purged(cdn)


def test_merging_tags_refreshes_both_tags_pages_and_their_articles_only(reader, site):
    a, b = site["a"], site["b"]
    other = make_article("記事C", tags=["量子化手法"])
    target = Tag.objects.get(name="量子化手法")
    kept(reader, a.get_absolute_url(), target.get_absolute_url(), b.get_absolute_url())
    site["tag_a"].merge_into(target)
    assert "量子化手法" in reader.get(a.get_absolute_url()).content.decode()
    assert "記事A" in reader.get(target.get_absolute_url()).content.decode()
    assert other.title in reader.get(target.get_absolute_url()).content.decode()
    assert state(reader, b.get_absolute_url()) == "hit"


def test_renaming_a_category_refreshes_its_articles_and_the_navigation_not_others(reader, site):
    a, b = site["a"], site["b"]
    kept(reader, a.get_absolute_url(), a.category.get_absolute_url(), b.category.get_absolute_url())
    a.category.name = "半導体"
    a.category.save()
    assert "半導体" in reader.get(a.get_absolute_url()).content.decode()
    assert "半導体" in reader.get(a.category.get_absolute_url()).content.decode()
    # every page's navigation lists the category: the other category's page is refreshed too
    assert "半導体" in reader.get(b.category.get_absolute_url()).content.decode()


def test_renaming_an_author_refreshes_their_articles_only(reader, site):
    a, b = site["a"], site["b"]
    author = a.authors.get()
    kept(reader, a.get_absolute_url(), author.get_absolute_url(), b.get_absolute_url())
    author.name = "改名した記者"
    author.save()
    assert "改名した記者" in reader.get(a.get_absolute_url()).content.decode()
    assert "改名した記者" in reader.get(author.get_absolute_url()).content.decode()
    assert state(reader, b.get_absolute_url()) == "hit"


def test_renaming_a_series_refreshes_its_instalments_only(reader, site):
    a, b = site["a"], site["b"]
    series = make_series("量子化入門", articles=[a])
    kept(reader, a.get_absolute_url(), series.get_absolute_url(), b.get_absolute_url())
    series.title = "量子化の基礎"
    series.save()
    assert "量子化の基礎" in reader.get(a.get_absolute_url()).content.decode()
    assert "量子化の基礎" in reader.get(series.get_absolute_url()).content.decode()
    assert state(reader, b.get_absolute_url()) == "hit"


def test_reframing_a_cover_refreshes_the_pages_showing_it_only(reader, site):
    a, b = site["a"], site["b"]
    picture = make_picture()
    a.cover = picture
    a.save()
    kept(reader, a.get_absolute_url(), b.get_absolute_url())
    picture.alt = "新しい代替テキスト"
    picture.save()
    assert "新しい代替テキスト" in reader.get(a.get_absolute_url()).content.decode()
    assert state(reader, b.get_absolute_url()) == "hit"


def test_deleting_an_article_removes_it_from_its_lists(reader, site):
    make_article("同じカテゴリーの記事", tags=["別のタグ"], category=site["a"].category)  # the navigation stays
    kept(reader, "/", site["tag_a"].get_absolute_url(), site["b"].get_absolute_url())
    site["a"].delete()
    assert "記事A" not in reader.get("/").content.decode()
    assert reader.get(site["tag_a"].get_absolute_url()).status_code == 404
    assert state(reader, site["b"].get_absolute_url()) == "hit"


def test_public_responses_name_the_cache_tags_of_what_they_show(reader, site):
    a = site["a"]
    response = reader.get(a.get_absolute_url())
    tags = set(response["Cache-Tag"].split(","))
    assert set(response["Surrogate-Key"].split(" ")) == tags
    expected = {f"article:{a.pk}", f"tag:{site['tag_a'].pk}", f"category:{a.category_id}", f"author:{a.authors.get().pk}"}
    assert expected <= tags
    assert f"article:{site['b'].pk}" not in tags
    assert reader.get(a.get_absolute_url())["Cache-Tag"] == response["Cache-Tag"]  # the hit names them too
    tag_page = set(reader.get(site["tag_a"].get_absolute_url())["Cache-Tag"].split(","))
    assert {f"tag:{site['tag_a'].pk}", f"tag:{site['tag_a'].pk}:articles", f"article:{a.pk}"} <= tag_page
    assert "articles" not in tag_page and f"article:{site['b'].pk}" not in tag_page


def test_the_last_article_of_a_category_leaving_refreshes_the_navigation_everywhere(reader, site):
    a, b = site["a"], site["b"]
    kept(reader, b.get_absolute_url())
    assert "ハードウェア" in reader.get(b.get_absolute_url()).content.decode()
    a.status = Article.Status.DRAFT
    a.save()
    assert "ハードウェア" not in reader.get(b.get_absolute_url()).content.decode()


def test_a_failing_cdn_does_not_fail_the_save(reader, site, settings, django_capture_on_commit_callbacks):
    settings.CDN_PURGE = "tests.blog.test_cache_tags.broken_cdn"
    with django_capture_on_commit_callbacks(execute=True):
        site["a"].title = "CDNが落ちていても保存できる"
        site["a"].save()
    assert "CDNが落ちていても保存できる" in reader.get(site["a"].get_absolute_url()).content.decode()


def broken_cdn(tags):
    raise ConnectionError("CDN down")
