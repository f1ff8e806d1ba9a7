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


def image_bytes(width=1600, height=900, *, format="JPEG", color=(40, 90, 160), blocks=()):
    """An image of one colour with ``blocks`` — ``((left, top, right, bottom), colour)`` — painted on."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    for box, fill in blocks:
        draw.rectangle(box, fill=fill)
    buffer = BytesIO()
    image.save(buffer, format)
    return buffer.getvalue()


def make_picture(kind="cover", *, width=800, height=450, alt="研究室のサーバーラック", focal=(0.5, 0.5), **image):
    """A stored picture with its renditions, made as the background task after an upload makes them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from blog import pictures
    from blog.models import Picture
    from blog.uploads import clean_image

    upload = SimpleUploadedFile("cover.jpg", image_bytes(width, height, **image), content_type="image/jpeg")
    picture = Picture(kind=kind, alt=alt, focal_x=focal[0], focal_y=focal[1])
    pictures.store_original(picture, *clean_image(upload))
    picture.save()
    pictures.generate_renditions(picture)
    return picture
