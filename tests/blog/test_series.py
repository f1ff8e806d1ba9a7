"""Series (連載): what readers see of a series, on its page, its feeds, the sitemap and every
article in it. Only published articles count: an instalment still in draft is neither listed nor
numbered, so the numbers readers see run 1, 2, 3… without gaps."""

import datetime
import re
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Article, Series, SeriesEntry
from tests.factories import make_article, make_series

pytestmark = pytest.mark.django_db
Status = Article.Status
ATOM = "{http://www.w3.org/2005/Atom}"


def hours_ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


@pytest.fixture
def reader():
    return Client()


@pytest.fixture
def llm_series():
    """Four instalments in this order; the third is still a draft."""
    first = make_article("モデルの選び方", published_at=hours_ago(40))
    second = make_article("推論コストを見積もる", published_at=hours_ago(30))
    draft = make_article("評価の設計（執筆中）", status=Status.DRAFT)
    fourth = make_article("エージェントを小さく始める", published_at=hours_ago(10))
    series = make_series("LLMを業務で使う", articles=[first, second, draft, fourth], description="LLM導入の実践を順に。")
    return series, [first, second, draft, fourth]


def text_of(response):
    assert response.status_code == 200
    return response.content.decode()


def series_box(html):
    match = re.search(r'<nav class="series-box".*?</nav>', html, re.S)
    return match.group(0) if match else None


# -- the order --------------------------------------------------------------------------


def test_a_series_lists_its_published_articles_in_the_editors_order(llm_series):
    series, (first, second, draft, fourth) = llm_series
    SeriesEntry.objects.filter(article=fourth).update(position=0)  # moved to the front
    assert list(Article.objects.published().in_series(series)) == [fourth, first, second]


def test_equal_positions_fall_back_to_publication_order(llm_series):
    series, (first, second, draft, fourth) = llm_series
    SeriesEntry.objects.filter(series=series).update(position=1)
    assert list(Article.objects.published().in_series(series)) == [first, second, fourth]


def test_an_article_belongs_to_at_most_one_series(llm_series):
    from django.db import IntegrityError, transaction

    series, (first, *_rest) = llm_series
    other = make_series("別の連載")
    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesEntry.objects.create(series=other, article=first, position=1)


def test_a_series_gets_a_japanese_slug_from_its_title():
    assert make_series("生成AIの現在地").slug == "生成aiの現在地"


# -- the article page -------------------------------------------------------------------


def test_an_article_in_a_series_names_its_place_among_the_published_instalments(reader, llm_series):
    series, (first, second, draft, fourth) = llm_series
    box = series_box(text_of(reader.get(fourth.get_absolute_url())))
    assert "連載「" in box and series.title in box
    assert "第 3 回" in box  # the draft before it is not counted
    assert "（全 3 回）" in box
    assert draft.title not in box
    assert f'href="{second.get_absolute_url()}" rel="prev"' in box
    assert 'rel="next"' not in box
    assert f'href="{series.get_absolute_url()}"' in box


def test_the_series_box_links_both_neighbours_and_lists_every_instalment(reader, llm_series):
    series, (first, second, draft, fourth) = llm_series
    box = series_box(text_of(reader.get(second.get_absolute_url())))
    assert "第 2 回" in box
    assert f'href="{first.get_absolute_url()}" rel="prev"' in box
    assert f'href="{fourth.get_absolute_url()}" rel="next"' in box
    listed = re.findall(r"<li>(.*?)</li>", box.split('class="series-box__list"')[1])
    assert len(listed) == 3
    assert f'<span aria-current="page">{second.title}</span>' in listed[1]
    assert first.title in listed[0] and fourth.title in listed[2]


def test_the_first_instalment_has_no_previous_link(reader, llm_series):
    _series, (first, *_rest) = llm_series
    box = series_box(text_of(reader.get(first.get_absolute_url())))
    assert "第 1 回" in box and 'rel="prev"' not in box and 'rel="next"' in box


def test_an_article_outside_any_series_has_no_series_box(reader, llm_series):
    alone = make_article("連載ではない記事")
    assert series_box(text_of(reader.get(alone.get_absolute_url()))) is None


def test_a_series_title_with_markup_is_shown_as_text(reader):
    article = make_article("記事")
    make_series('<script>alert("x")</script>連載', articles=[article])
    html = text_of(reader.get(article.get_absolute_url()))
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;" in series_box(html)


# -- the series page and the index --------------------------------------------------------


def test_the_series_page_numbers_the_published_articles_in_order(reader, llm_series):
    series, (first, second, draft, fourth) = llm_series
    html = text_of(reader.get(series.get_absolute_url()))
    assert series.title in html and series.description in html
    assert draft.title not in html
    positions = [html.index(a.title) for a in (first, second, fourth)]
    assert positions == sorted(positions)
    assert re.findall(r"第 (\d+) 回", html) == ["1", "2", "3"]
    assert "全 3 回" in html
    assert f'href="{reverse("blog:series-feed", args=[series.slug])}"' in html


def test_a_series_page_pages_on_in_the_series_order(reader):
    now = timezone.now()
    articles = [make_article(f"回{n:02d}", published_at=now - datetime.timedelta(hours=n + 1), tags=()) for n in range(32)]
    series = make_series("長い連載", articles=articles)
    second_page = text_of(reader.get(series.get_absolute_url() + "?page=2"))
    assert re.findall(r"第 (\d+) 回", second_page) == ["31", "32"]
    assert "回30" in second_page and "回31" in second_page and "回29" not in second_page


@pytest.mark.parametrize("query", ["?page=99", "?page=abc", "?page=-1"])
def test_a_bad_page_of_a_series_is_a_404(reader, llm_series, query):
    series, _articles = llm_series
    assert reader.get(series.get_absolute_url() + query).status_code == 404


def test_an_unknown_series_is_a_404(reader):
    assert reader.get("/series/存在しない連載/").status_code == 404


def test_a_series_whose_articles_are_all_drafts_does_not_exist_for_readers(reader):
    hidden = make_series("未発表の連載", articles=[make_article("下書き", status=Status.DRAFT)])
    assert reader.get(hidden.get_absolute_url()).status_code == 404
    assert reader.get(reverse("blog:series-feed", args=[hidden.slug])).status_code == 404
    assert hidden.title not in text_of(reader.get("/series/"))


def test_the_index_lists_series_with_published_articles_newest_first(reader, llm_series):
    series, _articles = llm_series
    older = make_series("過去の連載", articles=[make_article("古い回", published_at=hours_ago(500))])
    make_series("空の連載")
    html = text_of(reader.get("/series/"))
    assert html.index(series.title) < html.index(older.title)
    assert "空の連載" not in html
    assert "全 3 回" in html and "全 1 回" in html


def test_the_index_says_so_when_there_is_no_series(reader):
    html = text_of(reader.get("/series/"))
    assert "連載はまだありません。" in html and 'content="noindex, follow"' in html


def test_every_page_links_the_series_index(reader):
    assert 'href="/series/"' in text_of(reader.get("/"))


# -- feeds and sitemap ------------------------------------------------------------------


def test_the_series_feeds_carry_only_its_published_articles(reader, llm_series):
    series, (first, second, draft, fourth) = llm_series
    make_article("連載外の記事")
    rss = ET.fromstring(reader.get(reverse("blog:series-feed", args=[series.slug])).content)
    titles = [item.findtext("title") for item in rss.iter("item")]
    assert titles == [fourth.title, second.title, first.title]  # a feed is newest first
    assert series.title in rss.find("channel").findtext("title")
    atom = ET.fromstring(reader.get(reverse("blog:series-feed-atom", args=[series.slug])).content)
    assert [entry.findtext(f"{ATOM}title") for entry in atom.iter(f"{ATOM}entry")] == titles


def test_the_series_json_feed_carries_the_same_articles(reader, llm_series):
    series, (first, second, draft, fourth) = llm_series
    feed = reader.get(reverse("blog:series-feed-json", args=[series.slug])).json()
    assert [item["title"] for item in feed["items"]] == [fourth.title, second.title, first.title]


def test_the_series_feed_answers_304_to_a_current_copy(reader, llm_series):
    series, _articles = llm_series
    first = reader.get(reverse("blog:series-feed", args=[series.slug]))
    again = reader.get(f"/series/{series.slug}/feed/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_the_sitemap_lists_public_series_and_the_index(reader, llm_series):
    series, _articles = llm_series
    hidden = make_series("未発表の連載", articles=[make_article("下書き", status=Status.DRAFT)])
    body = text_of(reader.get("/sitemap.xml"))
    assert f"{series.get_absolute_url()}</loc>" in body
    assert "/series/</loc>" in body
    assert hidden.get_absolute_url() not in body


def test_the_sitemap_has_no_series_index_without_a_public_series(reader):
    make_series("未発表の連載", articles=[make_article("下書き", status=Status.DRAFT)])
    assert "/series/</loc>" not in text_of(reader.get("/sitemap.xml"))


# -- caching ----------------------------------------------------------------------------


def test_renaming_a_series_shows_on_its_articles_and_its_page_at_once(reader, llm_series):
    series, (first, *_rest) = llm_series
    for url in (first.get_absolute_url(), series.get_absolute_url(), "/series/"):
        assert series.title in text_of(reader.get(url))
        assert reader.get(url)["X-Page-Cache"] == "hit"
    series.title = "LLM実践講座"
    series.save()
    for url in (first.get_absolute_url(), series.get_absolute_url(), "/series/"):
        html = text_of(reader.get(url))
        assert "LLM実践講座" in html and "LLMを業務で使う" not in html


def test_publishing_an_instalment_renumbers_the_boxes_of_the_others(reader, llm_series):
    series, (first, second, draft, fourth) = llm_series
    assert "第 3 回" in series_box(text_of(reader.get(fourth.get_absolute_url())))
    draft.status, draft.published_at = Status.PUBLISHED, hours_ago(20)
    draft.save()
    box = series_box(text_of(reader.get(fourth.get_absolute_url())))
    assert "第 4 回" in box and "（全 4 回）" in box
    assert f'href="{draft.get_absolute_url()}" rel="prev"' in box
    assert draft.title in text_of(reader.get(series.get_absolute_url()))


def test_renaming_an_instalment_shows_in_the_boxes_of_the_others(reader, llm_series):
    series, (first, second, draft, fourth) = llm_series
    assert second.title in series_box(text_of(reader.get(first.get_absolute_url())))
    second.title = "推論コストの新しい見積もり方"
    second.save()
    assert "推論コストの新しい見積もり方" in series_box(text_of(reader.get(first.get_absolute_url())))


def test_reordering_and_removing_entries_show_at_once(reader, llm_series):
    series, (first, second, draft, fourth) = llm_series
    assert "第 1 回" in series_box(text_of(reader.get(first.get_absolute_url())))
    entry = SeriesEntry.objects.get(article=fourth)
    entry.position = 0
    entry.save()
    assert "第 2 回" in series_box(text_of(reader.get(first.get_absolute_url())))
    SeriesEntry.objects.get(article=first).delete()
    assert series_box(text_of(reader.get(first.get_absolute_url()))) is None
    assert first.title not in text_of(reader.get(series.get_absolute_url()))


def test_deleting_a_series_removes_its_box_and_page(reader, llm_series):
    series, (first, *_rest) = llm_series
    assert series_box(text_of(reader.get(first.get_absolute_url())))
    url = series.get_absolute_url()
    series.delete()
    assert series_box(text_of(reader.get(first.get_absolute_url()))) is None
    assert reader.get(url).status_code == 404


def test_a_kept_series_box_is_reused_without_reading_the_series(reader, llm_series, settings):
    settings.PAGE_CACHE_SECONDS = 0  # pages rendered every time; fragments kept
    series, (first, second, *_rest) = llm_series
    cold = text_of(reader.get(second.get_absolute_url()))
    with CaptureQueriesContext(connection) as captured:
        warm = text_of(reader.get(second.get_absolute_url()))
    assert series_box(warm) == series_box(cold)
    assert not [q["sql"] for q in captured if '"position"' in q["sql"] and "ORDER BY" in q["sql"]]


def test_a_warm_article_page_fetches_its_series_box_with_its_header_in_one_cache_call(reader, llm_series, settings):
    from django.core.cache.backends.locmem import LocMemCache

    settings.PAGE_CACHE_SECONDS = 0
    _series, (first, *_rest) = llm_series
    reader.get(first.get_absolute_url())
    batched, alone, inside = [], [], []
    get, get_many = LocMemCache.get, LocMemCache.get_many

    def recording_get(self, key, *args, **kwargs):
        (batched if inside else alone).append(key)
        return get(self, key, *args, **kwargs)

    def recording_get_many(self, keys, *args, **kwargs):
        inside.append(True)
        try:
            return get_many(self, keys, *args, **kwargs)
        finally:
            inside.pop()

    with mock.patch.object(LocMemCache, "get", recording_get), mock.patch.object(LocMemCache, "get_many", recording_get_many):
        warm = text_of(reader.get(first.get_absolute_url()))
    assert "第 1 回" in series_box(warm)
    assert [key for key in batched if "series-box" in key]
    assert not [key for key in alone if "series-box" in key]


def test_staff_see_a_fresh_box(llm_series):
    from tests.factories import make_user

    series, (first, *_rest) = llm_series
    staff = Client()
    staff.force_login(make_user("desk"))
    assert "第 1 回" in series_box(text_of(staff.get(first.get_absolute_url())))
    Series.objects.filter(pk=series.pk).update(title="黙って変えた題")  # no signal: nothing told the cache
    assert "黙って変えた題" in series_box(text_of(staff.get(first.get_absolute_url())))


# -- demo content -----------------------------------------------------------------------


def test_the_demo_content_has_a_series_and_loading_it_twice_changes_nothing(reader):
    call_command("load_demo", verbosity=0)
    series = Series.objects.get()
    entries = list(series.entries.values_list("article__slug", "position"))
    assert len(entries) >= 3
    call_command("load_demo", verbosity=0)
    assert Series.objects.count() == 1
    assert list(series.entries.values_list("article__slug", "position")) == entries
    first = Article.objects.published().in_series(series).first()
    assert "第 1 回" in series_box(text_of(reader.get(first.get_absolute_url())))
    assert text_of(reader.get(series.get_absolute_url())).count("第 ") >= 3


def test_loading_the_demo_again_keeps_an_editors_changes_to_the_series():
    call_command("load_demo", verbosity=0)
    series = Series.objects.get()
    series.title = "編集部が付け直した題"
    series.save()
    removed = series.entries.first()
    removed.delete()
    call_command("load_demo", verbosity=0)
    series.refresh_from_db()
    assert series.title == "編集部が付け直した題"
    assert not SeriesEntry.objects.filter(article=removed.article).exists()
