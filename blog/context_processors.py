from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from .cache import fragments
from .cache.tags import CATEGORIES
from .models import Article, Category


def site(request):
    """Site name and the navigation's categories (looked up only if used)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "nav_categories": SimpleLazyObject(
            lambda: fragments.get_or_set(request, "nav-categories", navigation_categories, navigation_tags)
        ),
    }


def navigation_categories() -> list[dict]:
    """The categories with a published article, as names and URLs (cheap to keep and to render)."""
    # EXISTS per category (a dozen index probes), not IN over every published article.
    categories = Category.objects.filter(Exists(Article.objects.published().filter(category=OuterRef("pk"))))
    return [{"pk": category.pk, "name": category.name, "url": category.get_absolute_url()} for category in categories]


def navigation_tags(categories) -> set[str]:
    """The navigation shows these categories' names, and changes when one gains its first public
    article or loses its last (``categories``)."""
    return {CATEGORIES} | {f"category:{category['pk']}" for category in categories}
