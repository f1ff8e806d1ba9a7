from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Article, Category


def site(request):
    """Site name and the navigation's categories (queried only if a template uses them)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "nav_categories": SimpleLazyObject(lambda: list(Category.objects.filter(pk__in=Article.objects.published().values("category_id")))),
    }
