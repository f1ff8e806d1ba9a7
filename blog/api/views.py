"""The Content API's endpoints: published content only, through ``Article.objects.published()``.

Each endpoint reads a constant number of queries whatever the data size: a page of articles is
one query plus one each for their authors and tags; a taxonomy page one query plus one for the
article counts of the rows shown.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from .. import share_images
from ..json_feed import absolute
from ..models import Article
from ..models import Author as AuthorModel
from ..models import Category as CategoryModel
from ..models import Tag as TagModel
from ..rendering import sanitize
from ..visibility import with_public_articles
from . import schemas
from .cursor import CursorError, after_article, after_slug, article_cursor, slug_cursor
from .errors import error_response

DESCRIPTION = """ALLFORCES（AI技術ガイド）の公開記事を読むための読み取り専用 API です。
公開中の記事だけを返します（予約投稿は公開時刻まで現れません）。使い方は docs/api.md を参照してください。"""


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="ALLFORCES Content API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/schema/",
    docs_url=None,  # the interactive page loads scripts from a CDN, which the CSP refuses
    renderer=Renderer(),
)



@api.exception_handler(ValidationError)
def invalid_parameters(request, exc):
    names = sorted({str(error["loc"][-1]) for error in exc.errors if error.get("loc")})
    listed = "、".join(f"「{name}」" for name in names) or "クエリ"
    return error_response(400, "invalid_parameter", f"パラメーター{listed}の値が正しくありません。", names)


@api.exception_handler(CursorError)
def invalid_cursor(request, exc):
    return error_response(
        400, "invalid_parameter", "cursor が正しくありません。前のレスポンスの next_cursor をそのまま渡してください。", ["cursor"]
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_response(404, "not_found", str(exc.args[0]) if exc.args else "見つかりません。")


class InvalidDate(ValueError):
    pass


@api.exception_handler(InvalidDate)
def invalid_date(request, exc):
    return error_response(
        400,
        "invalid_parameter",
        "published_after は ISO 8601 の日時で指定してください（例: 2025-04-01T09:00:00+09:00）。",
        ["published_after"],
    )


def parse_datetime(value: str) -> datetime.datetime:
    """An ISO 8601 date or date-time; without a zone it is the site's time (Japan)."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidDate(value) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def page_size(limit: int) -> int:
    return min(limit, schemas.MAX_LIMIT)


def next_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return absolute(request, f"{request.path}?{urlencode(sorted(query.items()))}")


def local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment).replace(microsecond=0)


def link(request, obj) -> dict:
    return {"name": obj.name, "slug": obj.slug, "url": absolute(request, obj.get_absolute_url())}


def article_fields(request, article: Article) -> dict:
    url = absolute(request, article.get_absolute_url())
    return {
        "slug": article.slug,
        "title": article.title,
        "url": url,
        "excerpt": article.description,
        "excerpt_html": sanitize(article.summary_html, base_url=url),
        "category": link(request, article.category) if article.category_id else None,
        "authors": [link(request, author) for author in article.authors.all()],
        "tags": [link(request, tag) for tag in article.tags.all()],
        "published_at": local(article.published_at),
        # A scheduled article is saved before it goes out: never "updated" before "published".
        "updated_at": local(max(article.updated_at, article.published_at)),
        "reading_time": article.minutes_to_read,
        "share_image_url": absolute(request, share_images.share_image_path(article)),
    }


@api.get("/articles/", response={200: schemas.ArticlePage, 400: schemas.Error}, summary="記事の一覧（新しい順）")
def article_list(request, filters: Query[schemas.ArticleFilters]):
    articles = Article.objects.published().for_listing()
    if filters.tag:
        articles = articles.filter(tagged_items__tag__slug=filters.tag)
    if filters.category:
        articles = articles.filter(category__slug=filters.category)
    if filters.author:
        articles = articles.filter(authors__slug=filters.author)
    if filters.published_after:
        articles = articles.filter(published_at__gt=parse_datetime(filters.published_after))
    if filters.cursor:
        articles = articles.filter(after_article(filters.cursor))
    size = page_size(filters.limit)
    rows = list(articles.order_by("-published_at", "-pk")[: size + 1])
    cursor = article_cursor(rows[size - 1]) if len(rows) > size else None
    return {
        "items": [article_fields(request, article) for article in rows[:size]],
        "next_cursor": cursor,
        "next": next_url(request, cursor),
    }


@api.get("/articles/{slug}/", response={200: schemas.ArticleDetail, 404: schemas.Error}, summary="記事1件（本文つき）")
def article_detail(request, slug: str):
    article = None
    if "\x00" not in slug:  # no stored slug has one (PostgreSQL cannot even compare it)
        article = (
            Article.objects.published().select_related("category").prefetch_related("authors", "tags").filter(slug=slug).first()
        )
    if article is None:
        raise Http404("記事が見つかりません。")
    fields = article_fields(request, article)
    # Sanitized here, as the last step, like the feeds' content.
    fields["body_html"] = sanitize(article.body_html, base_url=fields["url"])
    return fields


# The relation from an article to each taxonomy, for the per-row article counts.
COUNTED_BY = {CategoryModel: "category", TagModel: "tagged_items__tag", AuthorModel: "authors"}


def taxonomy_page(request, model, kind: str, page: schemas.TaxonomyPage, fields) -> dict:
    rows = with_public_articles(model).order_by("slug")
    if page.cursor:
        rows = rows.filter(after_slug(kind, page.cursor))
    size = page_size(page.limit)
    rows = list(rows[: size + 1])
    cursor = slug_cursor(kind, rows[size - 1].slug) if len(rows) > size else None
    rows = rows[:size]
    relation = COUNTED_BY[model]
    counts = {}
    if rows:
        counts = dict(
            Article.objects.published()
            .filter(**{f"{relation}__in": [row.pk for row in rows]})
            .order_by()
            .values(relation)
            .annotate(n=Count("pk", distinct=True))
            .values_list(relation, "n")
        )
    return {
        "items": [{**link(request, row), **fields(row), "article_count": counts.get(row.pk, 0)} for row in rows],
        "next_cursor": cursor,
        "next": next_url(request, cursor),
    }


@api.get("/categories/", response={200: schemas.CategoryPage, 400: schemas.Error}, summary="カテゴリーの一覧")
def category_list(request, page: Query[schemas.TaxonomyPage]):
    return taxonomy_page(request, CategoryModel, "c", page, lambda row: {"description": row.description})


@api.get("/tags/", response={200: schemas.TagPage, 400: schemas.Error}, summary="タグの一覧")
def tag_list(request, page: Query[schemas.TaxonomyPage]):
    return taxonomy_page(request, TagModel, "t", page, lambda row: {})


@api.get("/authors/", response={200: schemas.AuthorPage, 400: schemas.Error}, summary="著者の一覧")
def author_list(request, page: Query[schemas.TaxonomyPage]):
    return taxonomy_page(request, AuthorModel, "u", page, lambda row: {"bio": row.bio, "is_team": row.is_team})
