"""Feeds are kept like pages, invalidated by the tags of what they show, and bounded by bytes
as well as by count (full bodies stay whole)."""

import datetime

import feedparser
import pytest
from django.utils import timezone

from blog import feeds
from blog.models import Tag
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FEED_URLS = ["/feed/", "/feed/atom/", "/feed.json"]


def long_article(number, size):
    return make_article(
        f"長い記事{number:02d}",
        body="長い本文の段落です。" * (size // 30),  # about ``size`` bytes of UTF-8
        published_at=timezone.now() - datetime.timedelta(hours=number + 1),
        tags=["長文"],
    )


def test_a_feed_stops_before_its_byte_budget_and_keeps_bodies_whole(client):
    for number in range(6):
        long_article(number, 60 * 1024)  # four fit in 256 KB, not five
    for url in FEED_URLS:
        body = client.get(url).content
        assert len(body) <= feeds.FEED_MAX_BYTES + 64 * 1024, url  # the budget, plus the feed's own markup
    parsed = feedparser.parse(client.get("/feed/").content)
    assert [entry.title for entry in parsed.entries] == [f"長い記事{n:02d}" for n in range(4)]
    assert parsed.entries[0].content[0].value.count("長い本文の段落です。") == (60 * 1024) // 30


def test_one_article_larger_than_the_budget_is_still_in_the_feed_whole(client):
    long_article(0, feeds.FEED_MAX_BYTES + 1024)
    parsed = feedparser.parse(client.get("/feed/").content)
    assert len(parsed.entries) == 1


def test_the_count_cap_still_holds_for_short_articles(client):
    for number in range(feeds.FEED_LENGTH + 2):
        make_article(f"短い記事{number}", published_at=timezone.now() - datetime.timedelta(hours=number + 1))
    assert len(feedparser.parse(client.get("/feed/").content).entries) == feeds.FEED_LENGTH


@pytest.mark.parametrize("url", FEED_URLS)
def test_feeds_are_kept_and_answer_304_from_the_cache(client, url, django_assert_num_queries):
    make_article("フィードの記事")
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert (response.status_code, response["X-Page-Cache"]) == (304, "hit")
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]


def test_a_tag_feed_follows_its_tag_and_ignores_other_tags(client):
    make_article("タグAの記事", tags=["タグA"])
    make_article("タグBの記事", tags=["タグB"])
    a, b = Tag.objects.get(name="タグA"), Tag.objects.get(name="タグB")
    feed_a, feed_b = f"{a.get_absolute_url()}feed/", f"{b.get_absolute_url()}feed/"
    for url in (feed_a, feed_b):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    make_article("タグAの新着", tags=["タグA"])
    assert "タグAの新着" in client.get(feed_a).content.decode()
    assert client.get(feed_b)["X-Page-Cache"] == "hit"
    b.name = "タグB改"
    b.save()
    assert "タグB改" in client.get(feed_b).content.decode()
    assert client.get(feed_a)["X-Page-Cache"] == "hit"
