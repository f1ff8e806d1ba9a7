"""RSS 2.0 and Atom feeds of published articles: the whole site, and each category, tag, author and series.

Every feed starts from ``Article.objects.published()``. Items carry the full sanitized body
(``content:encoded`` in RSS, ``<content>`` in Atom) and the excerpt as the summary. Each feed
gives its own address (``rel="self"``) and, with ``WEBSUB_HUB`` set, its WebSub hub
(``rel="hub"``, blog/websub.py). Views are
wrapped with ``django.views.decorators.http.condition`` (see ``conditional_feed``), so readers
that send ``If-Modified-Since`` get ``304 Not Modified`` for two cheap queries. Feeds are kept by
the page cache like pages, under the cache tags of their object and items, so a reader's
``If-None-Match`` is answered from the kept ``ETag`` in one cache read.

A feed carries at most ``FEED_LENGTH`` items and at most ``FEED_MAX_BYTES`` of item content
(full bodies stay full: the items that do not fit are left out, never cut; the first always fits).
"""

import contextvars

import html

import nh3

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition

from .cache import fragments
from .cache.tags import listing
from .models import Article, Author, Category, Series, Tag
from .rendering import sanitize
from .text import strip_controls
from .visibility import with_public_articles

FEED_LENGTH = 20
FEED_MAX_BYTES = 256 * 1024
# Bytes an item takes besides its body and summary (title, links, dates, names, markup).
ITEM_OVERHEAD_BYTES = 1024
TEAM_BYLINE = "ALLFORCES編集部"

# Fields that carry sanitized HTML: rendered by blog.rendering.sanitize, written as they are.
HTML_FIELDS = frozenset({"content"})
HTML_ITEM_FIELDS = frozenset({"description", "content"})
# Fields that carry words: titles, names, category descriptions, <category>. Readers show them as
# text or as HTML, so they hold plain text (markup removed, never escaped markup).
TEXT_FIELDS = frozenset({"title", "description", "subtitle", "author_name", "categories", "authors", "feed_copyright"})


def plain_text(value):
    """Text without markup or characters XML forbids, for strings and strings in lists/tuples.

    Markup is stripped until none is left, so ``&lt;script&gt;`` typed into a title cannot turn
    into a tag in a reader that shows titles as HTML.
    """
    if isinstance(value, (list, tuple)):
        return type(value)(plain_text(item) for item in value)
    if not isinstance(value, str):
        return value
    text = strip_controls(value)
    for _ in range(4):
        stripped = html.unescape(nh3.clean(text, tags=set()))
        if stripped == text:
            return text
        text = stripped
    return text.replace("<", "").replace(">", "")


def xml_safe(value):
    """Drop characters XML 1.0 forbids from strings (URLs, ids), and from strings inside lists and tuples."""
    if isinstance(value, (list, tuple)):
        return type(value)(xml_safe(item) for item in value)
    return strip_controls(value) if isinstance(value, str) else value


def _clean_fields(fields: dict, html_fields) -> dict:
    return {
        name: value if name in html_fields else plain_text(value) if name in TEXT_FIELDS else xml_safe(value)
        for name, value in fields.items()
    }


_request = contextvars.ContextVar("feed_request")


def capped(articles: list) -> list:
    """The first of ``articles`` that fit in ``FEED_MAX_BYTES`` together (at least one)."""
    kept, size = [], 0
    for article in articles:
        size += len(article.body_html.encode()) + len(article.summary_html.encode()) + ITEM_OVERHEAD_BYTES
        if kept and size > FEED_MAX_BYTES:
            break
        kept.append(article)
    return kept


def site_url(path: str) -> str:
    """``DJANGO_SITE_URL`` + path when configured; otherwise the path, and syndication adds the host."""
    return settings.SITE_URL + path if settings.SITE_URL else path


class _XmlSafeFeed:
    """Every field fit for XML, and nothing transformed after sanitizing: HTML fields come from
    ``sanitize`` (which drops control characters first) and are written unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**_clean_fields(kwargs, HTML_FIELDS))

    def add_item(self, **kwargs):
        super().add_item(**_clean_fields(kwargs, HTML_ITEM_FIELDS))


class RssWithContent(_XmlSafeFeed, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full body in ``content:encoded`` and one ``dc:creator`` per author."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_root_elements(self, handler):
        super().add_root_elements(handler)  # <atom:link rel="self"> comes from feed_url
        if self.feed.get("hub"):
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": self.feed["hub"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _link in item.get("authors", ()):
            handler.addQuickElement("dc:creator", name)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class AtomWithContent(_XmlSafeFeed, feedgenerator.Atom1Feed):
    """Atom 1.0 with the full body in ``<content type="html">`` and every author."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)  # <link rel="self"> comes from feed_url
        if self.feed.get("hub"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": self.feed["hub"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class ArticleFeed(Feed):
    """The site's newest published articles. Subclasses narrow ``scope()`` to one object."""

    feed_type = RssWithContent
    language = "ja"
    url_name = "blog:feed"
    author_name = TEAM_BYLINE

    lookup_model = None  # Category, Tag, Author or Series for a per-list feed

    def get_object(self, request, slug=None):
        """The category, tag, author or series of a per-list feed, looked up once per request: 404 if
        unknown or if none of its articles is public (a draft-only tag stays private)."""
        if self.lookup_model is None:
            return None
        if not hasattr(request, "_feed_object"):
            request._feed_object = get_object_or_404(with_public_articles(self.lookup_model), slug=slug)
        return request._feed_object

    def scope(self, obj):
        """Every article this feed could show: the published ones, narrowed to ``obj``."""
        return Article.objects.published()

    def __call__(self, request, *args, **kwargs):
        token = _request.set(request)
        try:
            return super().__call__(request, *args, **kwargs)
        finally:
            _request.reset(token)

    def items(self, obj):
        return self.shown_items(obj, _request.get(None))

    def shown_items(self, obj, request):
        """The newest ``FEED_LENGTH`` articles, as many as fit in ``FEED_MAX_BYTES``; ``request``'s
        response is said to show them, and ``obj`` with its list."""
        items = capped(list(self.scope(obj).for_listing(with_html=True)[:FEED_LENGTH]))
        fragments.shows(request, obj, listing(obj), *items)
        return items

    def title(self, obj):
        return f"{settings.SITE_NAME} — {settings.SITE_TAGLINE}"

    def description(self, obj):
        return str(_("AI技術の動きを日本語で深く読み解く ALLFORCES の新着記事"))

    def subtitle(self, obj):
        return self.description(obj)

    def link(self, obj):
        return site_url(obj.get_absolute_url() if obj is not None else reverse("blog:article-list"))

    def feed_url(self, obj):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return site_url(reverse(self.url_name, kwargs=kwargs))

    def feed_extra_kwargs(self, obj):
        return {"hub": settings.WEBSUB_HUB}

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Sanitized again here, as the last step: a row rendered by an older pipeline is made safe too.
        return sanitize(item.summary_html)

    def item_link(self, item):
        return site_url(item.get_absolute_url())

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # A scheduled article is saved before it goes out: never "updated" before "published".
        return max(item.updated_at, item.published_at)

    def item_categories(self, item):
        names = [item.category.name] if item.category else []
        return names + [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item):
        return {
            "content": sanitize(item.body_html),
            "authors": [(a.name, site_url(a.get_absolute_url())) for a in item.authors.all()],
        }

    def last_modified(self, request, **kwargs):
        """The newest update among the feed's items, from one light query, memoized on the request.
        (The ETag is the body's: a renamed tag or category changes it, no date does.)"""
        if not hasattr(request, "_feed_last_modified"):
            obj = self.get_object(request, **kwargs)
            rows = self.scope(obj).values_list("updated_at", "published_at")[:FEED_LENGTH]
            request._feed_last_modified = max((max(u, p) for u, p in rows), default=None)
        return request._feed_last_modified


class CategoryFeed(ArticleFeed):
    url_name = "blog:category-feed"
    lookup_model = Category

    def scope(self, obj):
        return super().scope(obj).filter(category=obj)

    def title(self, obj):
        return f"{obj.name} — {settings.SITE_NAME}"

    def description(self, obj):
        return obj.description or str(_("%(name)s カテゴリーの新着記事") % {"name": obj.name})


class TagFeed(ArticleFeed):
    url_name = "blog:tag-feed"
    lookup_model = Tag

    def scope(self, obj):
        return super().scope(obj).with_tag(obj)

    def title(self, obj):
        return f"#{obj.name} — {settings.SITE_NAME}"

    def description(self, obj):
        return str(_("「%(name)s」タグの新着記事") % {"name": obj.name})


class AuthorFeed(ArticleFeed):
    url_name = "blog:author-feed"
    lookup_model = Author

    def scope(self, obj):
        return super().scope(obj).filter(authors=obj)

    def title(self, obj):
        return f"{obj.name} — {settings.SITE_NAME}"

    def description(self, obj):
        return str(_("%(name)s の新着記事") % {"name": obj.name})


class SeriesFeed(ArticleFeed):
    """A series' newest instalments first, as every feed orders them (the series page keeps the series' order)."""

    url_name = "blog:series-feed"
    lookup_model = Series

    def scope(self, obj):
        return super().scope(obj).filter(series_entry__series=obj)

    def title(self, obj):
        return f"連載「{obj.title}」 — {settings.SITE_NAME}"

    def description(self, obj):
        return obj.description or str(_("連載「%(title)s」の新着記事") % {"title": obj.title})


def atom(feed_class: type[ArticleFeed]) -> type[ArticleFeed]:
    """The Atom twin of an RSS feed class: same items, ``…-atom`` URL name."""
    return type(
        feed_class.__name__.replace("Feed", "AtomFeed"),
        (feed_class,),
        {"feed_type": AtomWithContent, "url_name": feed_class.url_name + "-atom", "__module__": __name__},
    )


SiteAtomFeed = atom(ArticleFeed)
CategoryAtomFeed = atom(CategoryFeed)
TagAtomFeed = atom(TagFeed)
AuthorAtomFeed = atom(AuthorFeed)
SeriesAtomFeed = atom(SeriesFeed)


def conditional_feed(feed_class: type[ArticleFeed]):
    """A view for ``feed_class`` answering ``304 Not Modified`` when the reader's copy is current."""
    feed = feed_class()
    return condition(last_modified_func=feed.last_modified)(feed)
