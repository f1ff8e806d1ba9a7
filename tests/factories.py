"""Plain helpers that build test data. Japanese by default, like the real site."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from blog.models import Article, Author, Category

_counter = itertools.count(1)

BODY = """## はじめに

大規模言語モデル（LLM）の推論は、ここ数年で大きく効率化しました。本稿ではその背景を整理します。

### オープンソースの役割

オープンソースのモデルが増えたことで、企業は自社環境で推論を動かせるようになりました。
"""


def make_category(name=None, **kwargs):
    name = name or f"カテゴリー{next(_counter)}"
    return Category.objects.create(name=name, **kwargs)


def make_author(name=None, **kwargs):
    name = name or f"著者{next(_counter)}"
    return Author.objects.create(name=name, **kwargs)


def make_article(
    title=None,
    *,
    status=Article.Status.PUBLISHED,
    published_at=None,
    body=BODY,
    excerpt="LLMの**推論コスト**について解説します。",
    category=None,
    authors=None,
    tags=("LLM", "推論"),
    **kwargs,
):
    """An article, published an hour ago unless told otherwise."""
    title = title or f"生成AIの最前線 第{next(_counter)}回"
    if published_at is None and status in (Article.Status.PUBLISHED, Article.Status.SCHEDULED):
        published_at = timezone.now() - datetime.timedelta(hours=1)
    article = Article.objects.create(
        title=title,
        status=status,
        published_at=published_at,
        body=body,
        excerpt=excerpt,
        category=category if category is not None else make_category(),
        **kwargs,
    )
    article.authors.set(authors if authors is not None else [make_author()])
    if tags:
        article.tags.set(list(tags))
    return article


def make_user(username=None, *, groups=(), is_staff=True, **kwargs):
    username = username or f"user{next(_counter)}"
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, is_staff=is_staff, **kwargs)
    for name in groups:
        group, _ = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    return user


def make_series(title=None, *, articles=(), **kwargs):
    """A series with ``articles`` placed in the order given (positions 1, 2, 3…)."""
    from blog.models import Series, SeriesEntry

    series = Series.objects.create(title=title or f"連載{next(_counter)}", **kwargs)
    for position, article in enumerate(articles, start=1):
        SeriesEntry.objects.create(series=series, article=article, position=position)
    return series
