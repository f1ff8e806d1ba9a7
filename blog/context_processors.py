from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from .models import Article, Category


def site(request):
    """Site name and the navigation's categories (queried only if a template uses them)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        # EXISTS per category (a dozen index probes), not IN over every published article.
        "nav_categories": SimpleLazyObject(
            lambda: list(Category.objects.filter(Exists(Article.objects.published().filter(category=OuterRef("pk")))))
        ),
    }
