"""Every public page type, as paths on the demo content (used by the axe and HTML checks)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from blog.models import Article, Author, Category, Series, Tag

INDEX_PAGES = ("tags", "tags-by-name", "categories", "authors")
# Page types screenshotted in dark mode too (every page is, in light mode).
DARK_SCREENSHOTS = (
    "home", "article", "article-cover", "article-code", "author", "series-index", "series",
    *INDEX_PAGES, "search-filtered", "search-no-results", "share-preview",
)  # fmt: skip

ARTICLE_SLUG = "llm-inference-cost"  # has a cover, a table, code, a TOC, two authors and a series box
COVER_SLUG = "edge-ai-chips"  # a cover, in no series
CODE_SLUG = "coding-agent-setup"  # code, tables, a mermaid diagram and a YouTube facade; no cover


def share_preview_path() -> str:
    """A share link to a draft (the page outsiders see: banner, noindex), made on the demo content."""
    from editorial import sharing

    draft, _made = Article.objects.get_or_create(
        slug="share-preview-draft",
        defaults={
            "title": "共有リンクで確認する下書き：推論サーバーの選び方",
            "body": "## 概要\n\n公開前の下書きを、社外の確認者に読んでもらうためのページです。\n",
            "category": Category.objects.get(name="LLM"),
        },
    )
    token = sharing.make_token(draft, expires_at=timezone.now() + datetime.timedelta(days=1))
    return reverse("editorial:shared-preview", args=[token])


def public_pages() -> dict[str, str]:
    article = Article.objects.get(slug=ARTICLE_SLUG)
    month = timezone.localtime(article.published_at)
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "article-cover": Article.objects.get(slug=COVER_SLUG).get_absolute_url(),
        "article-code": Article.objects.get(slug=CODE_SLUG).get_absolute_url(),
        "category": Category.objects.get(name="LLM").get_absolute_url(),
        "tag": Tag.objects.get(name="推論").get_absolute_url(),
        "author": Author.objects.get(name="田中 健一").get_absolute_url(),
        "series-index": "/series/",
        "series": Series.objects.get(slug="llm-in-practice").get_absolute_url(),
        "archive-index": "/archive/",
        "archive-year": f"/archive/{month:%Y}/",
        "archive-month": f"/archive/{month:%Y}/{month:%m}/",
        "tags": "/tags/",
        "tags-by-name": "/tags/?order=name",
        "categories": "/categories/",
        "authors": "/authors/",
        "search": "/search/?q=推論",
        "search-filtered": "/search/?q=推論&sort=new&tag=nvidia&from=2020-01-01&category=存在しない",
        "search-empty": "/search/",
        "search-no-results": "/search/?q=存在しない語句",
        "search-help": "/search/?q=推論 超伝導",  # nothing found: a shorter query and related tags
        "share-preview": share_preview_path(),
        "404": "/no-such-page/",
    }


GUIDE_ARTICLE_SLUG = "markdown-guide-every-construct"


def guide_article_body() -> str:
    """The writers' guide as an article body: every documented construct, rendered in place.

    The guide's ````` ````example ````` fences are unwrapped (their source becomes part of the
    body) and its ``#`` title dropped (the page's title is the article's ``<h1>``)."""
    from blog.guide import _EXAMPLE, GUIDE_PATH

    text = GUIDE_PATH.read_text(encoding="utf-8")
    text = text.split("\n", 1)[1] if text.startswith("# ") else text
    return _EXAMPLE.sub(lambda match: match.group(1), text)


def create_guide_article() -> str:
    """Publish the guide article (under the demo content's author and category); its path."""
    article = Article.objects.create(
        title="記法ガイドのすべての書き方を使った記事",
        slug=GUIDE_ARTICLE_SLUG,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
        body=guide_article_body(),
        excerpt="見出し、コード、メッセージ、折りたたみ、数式、図、埋め込み、表、脚注、タスクリスト。",
        category=Category.objects.get(name="LLM"),
    )
    article.authors.set([Author.objects.get(name="田中 健一")])
    return article.get_absolute_url()
