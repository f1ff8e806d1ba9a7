"""Signed, expiring preview links for reviewers outside the newsroom.

The signed value holds the article, its version (``updated_at``) and the expiry time: any save of
the article revokes every link made before it, and nothing is stored server-side.
"""

import datetime

from django.core import signing
from django.utils import timezone

from blog.models import Article

from .revisions import version_of

SALT = "editorial.share-link"
DEFAULT_DAYS = 7
MAX_DAYS = 30


class ShareLinkError(Exception):
    pass


class InvalidLink(ShareLinkError):
    """Tampered with, truncated, or for an article that no longer exists."""


class ExpiredLink(ShareLinkError):
    pass


class RevokedLink(ShareLinkError):
    """The article has been saved since the link was made."""


def make_token(article: Article, *, expires_at: datetime.datetime) -> str:
    payload = {"a": article.pk, "v": version_of(article), "e": int(expires_at.timestamp())}
    return signing.dumps(payload, salt=SALT, compress=True)


def resolve(token: str, *, now: datetime.datetime | None = None) -> tuple[Article, datetime.datetime]:
    """Return the article a link shows and when the link expires, or raise a ``ShareLinkError``."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise InvalidLink from exc
    if not isinstance(payload, dict) or not {"a", "v", "e"} <= payload.keys():
        raise InvalidLink
    expires_at = datetime.datetime.fromtimestamp(payload["e"], tz=datetime.UTC)
    if (now or timezone.now()) >= expires_at:
        raise ExpiredLink
    article = (
        Article.objects.filter(pk=payload["a"]).select_related("category").prefetch_related("authors", "tags").first()
    )
    if article is None:
        raise InvalidLink
    if version_of(article) != payload["v"]:
        raise RevokedLink
    return article, expires_at
