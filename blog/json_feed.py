"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) of the site, and of each category, tag and author.

The same feeds as ``blog/feeds.py``, written as JSON: each JSON feed class is its RSS class with a
``…-json`` URL name, so the lookup (404 for an unknown slug or an object with no public article),
the scope, the items, the caps and the Last-Modified validator are those of the RSS and
Atom feeds. Items carry the full body sanitized as the other feeds carry it, with relative links
resolved against the article's URL (a JSON document has no base URL of its own).
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition

from . import feeds, share_images
from .feeds import TEAM_BYLINE, plain_text, site_url
from .models import Author
from .rendering import sanitize

VERSION = "https://jsonfeed.org/version/1.1"
CONTENT_TYPE = "application/feed+json; charset=utf-8"
ICON, FAVICON = "img/logo.png", "img/icon-64.png"  # drawn by blog/brand.py


def absolute(request, path_or_url: str) -> str:
    """A path on ``DJANGO_SITE_URL`` when configured, else on the requested host; a URL that is
    already absolute (the feed classes give one when the setting is there) stays as it is."""
    if urlsplit(path_or_url).scheme:
        return path_or_url
    return request.build_absolute_uri(site_url(path_or_url))


def rfc3339(moment) -> str:
    """A date as RFC 3339 in Japan time, to the second: ``2025-04-01T09:30:00+09:00``."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def text(value: str) -> str:
    """Plain text for a title, name or tag (``feeds.plain_text``), without surrounding spaces."""
    return plain_text(value).strip()


def _filled(fields: dict) -> dict:
    return {name: value for name, value in fields.items() if value != ""}


def _unique(names) -> list[str]:
    return list(dict.fromkeys(name for name in map(text, names) if name))


class JsonFeedView:
    """Render a ``blog.feeds`` feed class as a JSON Feed document."""

    def __init__(self, feed_class: type[feeds.ArticleFeed]):
        self.feed = feed_class()

    def __call__(self, request, **kwargs):
        document = self.document(request, self.feed.get_object(request, **kwargs))
        return HttpResponse(json.dumps(document, ensure_ascii=False), content_type=CONTENT_TYPE)

    def document(self, request, obj) -> dict:
        feed = self.feed
        document = {
            "version": VERSION,
            "title": text(feed.title(obj)),
            "home_page_url": absolute(request, feed.link(obj)),
            "feed_url": absolute(request, feed.feed_url(obj)),
            "description": text(feed.description(obj)),
            "icon": absolute(request, static(ICON)),
            "favicon": absolute(request, static(FAVICON)),
            "authors": [self.author(request, obj) if isinstance(obj, Author) else self.team(request)],
            "language": "ja",
        }
        hub = settings.WEBSUB_HUB
        if hub:
            document["hubs"] = [{"type": "WebSub", "url": hub}]
        document["items"] = [self.item(request, article) for article in feed.shown_items(obj, request)]
        return document

    def team(self, request) -> dict:
        return {"name": TEAM_BYLINE, "url": absolute(request, reverse("blog:article-list"))}

    def author(self, request, author) -> dict:
        return _filled({"name": text(author.name), "url": absolute(request, author.get_absolute_url())})

    def item(self, request, article) -> dict:
        feed = self.feed
        url = absolute(request, article.get_absolute_url())
        item = {
            "id": url,
            "url": url,
            "title": text(feed.item_title(article)),
            # Sanitized here, as the last step, like the RSS and Atom content.
            "content_html": sanitize(article.body_html, base_url=url),
            "summary": text(article.description),
            "image": absolute(request, share_images.share_image_path(article)),
            "date_published": rfc3339(feed.item_pubdate(article)),
            "date_modified": rfc3339(feed.item_updateddate(article)),
            "authors": [self.author(request, author) for author in article.authors.all()],
            "tags": _unique(feed.item_categories(article)),
            "language": "ja",
        }
        if not item["authors"]:
            item["authors"] = [self.team(request)]
        # A title or summary that was all markup is left out rather than given as "".
        return _filled(item)


def json_feed(feed_class: type[feeds.ArticleFeed]) -> type[feeds.ArticleFeed]:
    """The JSON twin of an RSS feed class: same items, ``…-json`` URL name."""
    return type(
        feed_class.__name__.replace("Feed", "JsonFeed"),
        (feed_class,),
        {"url_name": feed_class.url_name + "-json", "__module__": __name__},
    )


SiteJsonFeed = json_feed(feeds.ArticleFeed)
CategoryJsonFeed = json_feed(feeds.CategoryFeed)
TagJsonFeed = json_feed(feeds.TagFeed)
AuthorJsonFeed = json_feed(feeds.AuthorFeed)
SeriesJsonFeed = json_feed(feeds.SeriesFeed)


def conditional_json_feed(feed_class: type[feeds.ArticleFeed]):
    """A JSON Feed view answering ``304 Not Modified`` when the reader's copy is current
    (the validators of ``feeds.conditional_feed``)."""
    view = JsonFeedView(feed_class)
    return condition(last_modified_func=view.feed.last_modified)(view)
