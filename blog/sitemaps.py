"""``/sitemap.xml``: published articles with ``lastmod``, the category, tag and author pages that list them,
and the index pages of all categories, tags and authors.

Every section starts from ``Article.objects.published()``: a list page with no public article is
left out, like the article itself while it is a draft.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max, Q
from django.db.models.functions import Greatest
from django.urls import reverse

from .caching import page_number
from .models import Article, Author, Category, Tag


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


SITEMAPS = {
    "home": HomeSitemap,
    "indexes": IndexSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def sitemap_view(request, **kwargs):
    """Django's sitemap view, declaring the one query parameter it reads (``?p=``, its page)."""
    return sitemap(request, **kwargs)


sitemap_view.cache_parameters = {"p": page_number}
