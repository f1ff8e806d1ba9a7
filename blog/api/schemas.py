"""What the Content API answers with: these classes are the responses and the OpenAPI document."""

from datetime import datetime

from ninja import Field, Schema

MAX_LIMIT = 100
# No control characters in a filter or cursor (PostgreSQL cannot even compare a NUL).
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


class Link(Schema):
    name: str
    slug: str
    url: str = Field(description="サイト上のページの絶対URL")


class ArticleSummary(Schema):
    slug: str
    title: str
    url: str = Field(description="記事ページの絶対URL")
    excerpt: str = Field(description="抜粋（プレーンテキスト）")
    excerpt_html: str = Field(description="抜粋（サニタイズ済みHTML、リンクは絶対URL）")
    category: Link | None
    authors: list[Link]
    tags: list[Link]
    published_at: datetime
    updated_at: datetime
    reading_time: int = Field(description="読了時間（分）")
    share_image_url: str = Field(description="共有画像（OGP, 1200×630 PNG）の絶対URL")


class ArticleDetail(ArticleSummary):
    body_html: str = Field(description="本文（サイトと同じサニタイズ済みHTML、リンクと画像は絶対URL）")


class ArticlePage(Schema):
    items: list[ArticleSummary]
    next_cursor: str | None = Field(description="次のページのカーソル。最後のページでは null")
    next: str | None = Field(description="次のページの絶対URL。最後のページでは null")


class Category(Link):
    description: str
    article_count: int = Field(description="公開中の記事数")


class Tag(Link):
    article_count: int = Field(description="公開中の記事数")


class Author(Link):
    bio: str = Field(description="紹介文（プレーンテキスト）")
    is_team: bool = Field(description="「ALLFORCES編集部」のような共同署名")
    article_count: int = Field(description="公開中の記事数")


class CategoryPage(Schema):
    items: list[Category]
    next_cursor: str | None
    next: str | None


class TagPage(Schema):
    items: list[Tag]
    next_cursor: str | None
    next: str | None


class AuthorPage(Schema):
    items: list[Author]
    next_cursor: str | None
    next: str | None


class ErrorDetail(Schema):
    code: str = Field(description="invalid_parameter, not_found, method_not_allowed, rate_limited, unavailable")
    message: str = Field(description="日本語の説明")
    parameters: list[str] = Field(default_factory=list, description="誤りのあったパラメーター")


class Error(Schema):
    error: ErrorDetail


def _text(description: str, max_length: int = 200):
    return Field(None, description=description, max_length=max_length, pattern=PRINTABLE)


class Page(Schema):
    cursor: str | None = _text("前のレスポンスの next_cursor。省略すると最初のページ", 300)
    limit: int = Field(20, ge=1, description=f"1ページの件数（上限 {MAX_LIMIT}、超えた値は {MAX_LIMIT} として扱う）")


class TaxonomyPage(Page):
    limit: int = Field(MAX_LIMIT, ge=1, description=f"1ページの件数（上限 {MAX_LIMIT}）")


class ArticleFilters(Page):
    tag: str | None = _text("タグのスラッグ")
    category: str | None = _text("カテゴリーのスラッグ")
    author: str | None = _text("著者のスラッグ")
    published_after: str | None = Field(
        None,
        description="この日時より後に公開された記事（ISO 8601。タイムゾーンがなければ日本時間）",
        max_length=40,
        json_schema_extra={"format": "date-time"},
    )
