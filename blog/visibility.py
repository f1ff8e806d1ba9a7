"""Which categories, tags, authors and series readers may see: those with at least one public article.

A tag used only on drafts (an unannounced product, say) must not show itself by URL guessing:
its page, its feeds and the sitemap answer as if it did not exist. One ``EXISTS`` per lookup,
whatever the number of articles.
"""

from django.db.models import Exists, OuterRef

from .models import Article, Author, Category, Series, Tag

_RELATION = {Category: "category", Tag: "tagged_items__tag", Author: "authors", Series: "series_entry__series"}


def with_public_articles(model):
    """``model``'s rows (a ``Category``, ``Tag``, ``Author`` or ``Series``) that list at least one published article."""
    public = Article.objects.published().filter(**{_RELATION[model]: OuterRef("pk")})
    return model.objects.filter(Exists(public))
