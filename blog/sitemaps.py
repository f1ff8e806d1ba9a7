"""``/sitemap.xml``: published articles with ``lastmod``, the category, tag, author and series pages that list them,
and the index pages of all categories, tags and authors; ``/sitemap-news.xml``: the Google News
sitemap of the articles published in the last 48 hours.

Every section starts from ``Article.objects.published()``: a list page with no public article is
left out, like the article itself while it is a draft.
"""

import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from .cache.fragments import shows
from .cache.middleware import page_number
from .cache.tags import ARTICLES, SITEMAP
from .models import Article, Author, Category, Series, SeriesEntry, Tag
from .text import strip_controls

# Google News reads articles published in the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = datetime.timedelta(hours=48)
NEWS_LIMIT = 1000


class SiteSitemap(Sitemap):
    """Absolute URLs on ``DJANGO_SITE_URL`` when it is set, otherwise on the requested host."""

    def get_protocol(self, protocol=None):
        if settings.SITE_URL:
            return settings.SITE_URL.split("://", 1)[0]
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.SITE_URL:
            return settings.SITE_URL.split("://", 1)[1]
        return super().get_domain(site)

    def lastmod(self, item):
        return item.lastmod


class HomeSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        return ["blog:article-list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Article.objects.published().aggregate(last=Max(Greatest("updated_at", "published_at")))["last"]


class IndexSitemap(HomeSitemap):
    """The lists of every category, tag and author: as fresh as the newest public change."""

    def items(self):
        return ["blog:category-index", "blog:tag-index", "blog:author-index"]

    def lastmod(self, item):
        if not hasattr(self, "_lastmod"):  # one aggregate for the three pages
            self._lastmod = super().lastmod(item)
        return self._lastmod


class ArticleSitemap(SiteSitemap):
    def items(self):
        return (
            Article.objects.published()
            .annotate(lastmod=Greatest("updated_at", "published_at"))
            .only("slug", "updated_at", "published_at")
            .order_by("-published_at", "-pk")
        )


class NewsSitemap(SiteSitemap):
    """The Google News sitemap (https://www.google.com/schemas/sitemap-news/0.9): each recent
    article with the publication's name and language, its publication date and its title."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .annotate(lastmod=Greatest("updated_at", "published_at"))
            .only("slug", "title", "updated_at", "published_at")
            .order_by("-published_at", "-pk")[:NEWS_LIMIT]
        )

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            article = url["item"]
            url["news"] = {
                "publication_name": strip_controls(settings.SITE_NAME),
                "language": "ja",
                # W3C Datetime with the time zone, to the second (Japan time).
                "publication_date": timezone.localtime(article.published_at).isoformat(timespec="seconds"),
                "title": " ".join(strip_controls(article.title).split()),
            }
        return urls


def news_sitemap_view(request):
    """``/sitemap-news.xml``: one page (at most ``NEWS_LIMIT`` articles), no query parameters."""
    shows(request, ARTICLES, SITEMAP)
    return sitemap(
        request, {"news": NewsSitemap}, template_name="blog/sitemap_news.xml", content_type="application/xml; charset=utf-8"
    )


news_sitemap_view.cache_parameters = {}


def _with_public_articles(queryset, relation: str):
    """Annotate ``lastmod`` (newest public change among the row's articles) and drop rows without any."""
    public = Q(**{f"{relation}__in": Article.objects.published()})
    lastmod = Max(Greatest(f"{relation}__updated_at", f"{relation}__published_at"), filter=public)
    return queryset.annotate(lastmod=lastmod).filter(lastmod__isnull=False).order_by("slug")


class CategorySitemap(SiteSitemap):
    def items(self):
        return _with_public_articles(Category.objects.all(), "articles")


class TagSitemap(SiteSitemap):
    def items(self):
        return _with_public_articles(Tag.objects.all(), "tagged_articles__content_object")


class AuthorSitemap(SiteSitemap):
    def items(self):
        return _with_public_articles(Author.objects.all(), "articles")


class SeriesSitemap(SiteSitemap):
    def items(self):
        return _with_public_articles(Series.objects.all(), "entries__article")


class SeriesIndexSitemap(SiteSitemap):
    """``/series/``, while some series has a published article."""

    def items(self):
        public = Q(article__in=Article.objects.published())
        last = SeriesEntry.objects.filter(public).aggregate(last=Max(Greatest("article__updated_at", "article__published_at")))
        return [last["last"]] if last["last"] else []

    def location(self, item):
        return reverse("blog:series-list")

    def lastmod(self, item):
        return item


SITEMAPS = {
    "home": HomeSitemap,
    "indexes": IndexSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "series-index": SeriesIndexSitemap,
    "series": SeriesSitemap,
}


def sitemap_view(request, **kwargs):
    """Django's sitemap view, declaring the one query parameter it reads (``?p=``, its page)."""
    shows(request, ARTICLES, SITEMAP)
    return sitemap(request, **kwargs)


sitemap_view.cache_parameters = {"p": page_number}
