from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from . import caching
from .models import Article, Category


def site(request):
    """Site name, the navigation's categories and the content version (each looked up only if used)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "nav_categories": SimpleLazyObject(lambda: caching.remember(request, "nav-categories", navigation_categories)),
        # Keys fragments that depend on content only (templates/blog/includes/card.html).
        "content_version": SimpleLazyObject(lambda: caching.fragment_version(request)),
        "fragment_cache_seconds": settings.FRAGMENT_CACHE_SECONDS,
    }


def navigation_categories() -> list[dict]:
    """The categories with a published article, as names and URLs (cheap to keep and to render)."""
    # EXISTS per category (a dozen index probes), not IN over every published article.
    categories = Category.objects.filter(Exists(Article.objects.published().filter(category=OuterRef("pk"))))
    return [{"name": category.name, "url": category.get_absolute_url()} for category in categories]
