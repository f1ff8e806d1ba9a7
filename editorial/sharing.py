"""Expiring, revocable preview links for reviewers outside the newsroom.

Each link is a ``ShareLink`` row (who made it, until when, whether it was revoked) and a signed
token naming that row, the article and the article's version. A link dies when it expires, when
someone revokes it, when the article's status changes (``revoke_all``, called by
``editorial.workflow`` — a takedown must take the preview down too), when the article's text is
saved again, or when the article is deleted.
"""

import datetime

from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone

from blog.models import Article

from .models import ShareLink
from . import revisions

SALT = "editorial.share-link"
DEFAULT_DAYS = 7
MAX_DAYS = 30


class ShareLinkError(Exception):
    pass


class InvalidLink(ShareLinkError):
    """Tampered with, truncated, or for a link or article that no longer exists."""


class ExpiredLink(ShareLinkError):
    pass


class RevokedLink(ShareLinkError):
    """The article has been saved since the link was made."""


class WithdrawnLink(ShareLinkError):
    """Revoked by hand, or by a change of the article's status."""


def create(article: Article, *, expires_at: datetime.datetime, user=None) -> tuple[ShareLink, str]:
    """Record a new link to ``article`` and return it with its token."""
    link = ShareLink.objects.create(
        article=article,
        version=revisions.version_of(article),
        expires_at=expires_at,
        created_by=user if user and user.is_authenticated else None,
    )
    return link, token_for(link)


def make_token(article: Article, *, expires_at: datetime.datetime, user=None) -> str:
    return create(article, expires_at=expires_at, user=user)[1]


def token_for(link: ShareLink) -> str:
    payload = {"l": link.pk, "a": link.article_id, "v": link.version, "e": int(link.expires_at.timestamp())}
    return signing.dumps(payload, salt=SALT, compress=True)


def live_links(article: Article) -> list[ShareLink]:
    """The article's links an outsider could still open, newest first."""
    version = revisions.version_of(article)
    links = ShareLink.objects.live().filter(article=article).select_related("created_by")
    return [link for link in links if link.version == version]


def revoke(link: ShareLink, user=None, *, now: datetime.datetime | None = None) -> None:
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now(), revoked_by=user if user and user.is_authenticated else None
    )


def revoke_all(article: Article, user=None, *, now: datetime.datetime | None = None) -> int:
    """Revoke every unrevoked link to ``article``; return how many."""
    links: QuerySet = ShareLink.objects.filter(article_id=article.pk, revoked_at__isnull=True)
    return links.update(revoked_at=now or timezone.now(), revoked_by=user if user and user.is_authenticated else None)


def resolve(token: str, *, now: datetime.datetime | None = None) -> tuple[Article, datetime.datetime]:
    """Return the article a link shows and when the link expires, or raise a ``ShareLinkError``."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise InvalidLink from exc
    if not isinstance(payload, dict) or not {"l", "a", "v", "e"} <= payload.keys():
        raise InvalidLink
    link = ShareLink.objects.filter(pk=payload["l"], article_id=payload["a"]).only("revoked_at", "expires_at").first()
    if link is None:
        raise InvalidLink
    if link.revoked_at is not None:
        raise WithdrawnLink
    expires_at = link.expires_at
    if (now or timezone.now()) >= expires_at:
        raise ExpiredLink
    article = (
        Article.objects.filter(pk=payload["a"]).select_related("category").prefetch_related("authors", "tags").first()
    )
    if article is None:
        raise InvalidLink
    if revisions.version_of(article) != payload["v"]:
        raise RevokedLink
    return article, expires_at
