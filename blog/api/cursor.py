"""Opaque cursors for keyset pagination.

An article list is walked newest first over ``(published_at, pk)``, the order of the listing
index. A cursor names the last row a page showed; the next page starts strictly after it, so an
article published meanwhile (newer than anything shown) never shifts or repeats a row, as an
offset would. Taxonomy lists walk their unique slug the same way.

A cursor is URL-safe base64 of a small JSON array. Clients must treat it as opaque; anything
that does not decode to the expected shape is a ``CursorError`` (a 400), never a query.
"""

import base64
import binascii
import datetime
import json

from django.db.models import Q
from django.utils import timezone

MAX_CURSOR_LENGTH = 300
MAX_PK = 2**63 - 1  # the largest BIGINT: beyond it PostgreSQL and SQLite refuse the parameter


class CursorError(ValueError):
    pass


def _encode(payload: list) -> str:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list:
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise CursorError("cursor")
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise CursorError("cursor") from None
    if not isinstance(payload, list):
        raise CursorError("cursor")
    return payload


def _valid_pk(value) -> bool:
    return type(value) is int and 0 < value <= MAX_PK


def article_cursor(article) -> str:
    return _encode(["a", article.published_at.astimezone(datetime.UTC).isoformat(), article.pk])


def after_article(cursor: str) -> Q:
    """The rows after ``cursor`` in newest-first order."""
    payload = _decode(cursor)
    if len(payload) != 3 or payload[0] != "a" or not isinstance(payload[1], str) or not _valid_pk(payload[2]):
        raise CursorError("cursor")
    try:
        published_at = datetime.datetime.fromisoformat(payload[1])
    except ValueError:
        raise CursorError("cursor") from None
    if timezone.is_naive(published_at):
        raise CursorError("cursor")
    pk = payload[2]
    return Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk)


def slug_cursor(kind: str, slug: str) -> str:
    return _encode([kind, slug])


def after_slug(kind: str, cursor: str) -> Q:
    """The rows whose slug sorts after ``cursor`` (of the same ``kind``)."""
    payload = _decode(cursor)
    if len(payload) != 2 or payload[0] != kind or not isinstance(payload[1], str) or "\x00" in payload[1]:
        raise CursorError("cursor")
    return Q(slug__gt=payload[1])
