"""Invalidation after the commit, and the hook that lets a CDN purge by the same tags.

``DJANGO_CDN_PURGE`` names a callable by its dotted path (``settings.CDN_PURGE``). It is called
once per committed change with the sorted list of invalidated tags, after the site's own cache
dropped them; a class is instantiated once (without arguments) and its instances called. It must
not raise for a CDN that is down (errors are logged, the request goes on) and should be quick:
hand slow API calls to a background task. The adapter shape::

    class FastlyPurge:
        def __call__(self, tags: list[str]) -> None:
            # POST /service/{id}/purge with header Surrogate-Key: " ".join(tags)
            ...

Responses name the same tags in ``Cache-Tag`` (comma-separated, Cloudflare) and ``Surrogate-Key``
(space-separated, Fastly), so a purge by tag reaches exactly the responses a CDN keeps for them.
The default (empty setting) purges nothing.
"""

import functools
import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from . import store

logger = logging.getLogger("blog.cache")

@functools.cache
def _hook(path: str):
    hook = import_string(path)
    return hook() if isinstance(hook, type) else hook


def cdn_purge(tags: list[str]) -> None:
    if not settings.CDN_PURGE:
        return
    try:
        _hook(settings.CDN_PURGE)(tags)
    except Exception:  # a CDN outage must not fail the save that caused it
        logger.exception("CDN purge failed for %d tags", len(tags))


def invalidate(tags) -> None:
    """Drop every kept entry under ``tags`` now, and tell the CDN."""
    tags = sorted(set(tags))
    if not tags:
        return
    store.invalidate(tags)
    cdn_purge(tags)


def _after_commit(tags) -> None:
    invalidate(tags)
    if settings.DATABASE_REPLICAS:
        # and once more when the replicas replayed it: a reader served by a lagging replica
        # may have kept the old rows in between
        from config.routers import wait_for_replicas

        wait_for_replicas()
        store.invalidate(tags)


def invalidate_on_commit(tags) -> None:
    """Drop ``tags`` now (inside a transaction) and once more after it commits, where the CDN
    hears of them: once per change (a save, a relation changed), never for a rolled-back one.

    Now: staff and later readers of this process see the change even before the commit returns.
    After the commit: a reader that rendered the old rows in between is caught by its generation
    (``store.keep``) or by this second pass.
    """
    from django.db import connection

    tags = frozenset(tags)
    if connection.in_atomic_block:
        store.invalidate(tags)
    transaction.on_commit(lambda: _after_commit(tags), robust=True)
