"""Every public page type, as paths on the demo content (used by the axe and HTML checks)."""

from django.utils import timezone

from blog.models import Article, Author, Category, Tag

ARTICLE_SLUG = "llm-inference-cost"  # has a table, code, a TOC and two authors


def public_pages() -> dict[str, str]:
    article = Article.objects.get(slug=ARTICLE_SLUG)
    month = timezone.localtime(article.published_at)
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "category": Category.objects.get(name="LLM").get_absolute_url(),
        "tag": Tag.objects.get(name="推論").get_absolute_url(),
        "author": Author.objects.get(name="田中 健一").get_absolute_url(),
        "archive-index": "/archive/",
        "archive-year": f"/archive/{month:%Y}/",
        "archive-month": f"/archive/{month:%Y}/{month:%m}/",
        "search": "/search/?q=推論",
        "search-empty": "/search/",
        "search-no-results": "/search/?q=存在しない語句",
        "404": "/no-such-page/",
    }
