"""Reads from PostgreSQL read replicas (``DATABASE_REPLICA_URLS``), everything else from the primary.

Only a request that ``config.middleware.ReplicaRoutingMiddleware`` marks as an anonymous public
read goes to a replica, and within it only reads outside a transaction: writes, reads inside
``transaction.atomic()``, sessions and users, management commands, tasks and every staff request
use the primary (``default``). A write request by a signed-in user pins the browser to the
primary for ``DJANGO_REPLICA_PIN_SECONDS`` (a cookie), so an editor sees what they just changed
even where they browse without their session.
"""

import contextlib
import contextvars
import random
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

PIN_COOKIE = "allforces_primary"
# Authentication state must never lag: a logout or a password change counts at once.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth"})

_reader: contextvars.ContextVar[str | None] = contextvars.ContextVar("allforces_db_reader", default=None)


@contextlib.contextmanager
def reading_from(alias):
    """Route the reads of this block (this thread or task only) to ``alias``."""
    token = _reader.set(alias)
    try:
        yield
    finally:
        _reader.reset(token)


def choose_replica():
    return random.choice(settings.DATABASE_REPLICAS)


def is_pinned(request) -> bool:
    """Whether the browser wrote something a moment ago (an expired or forged value is ignored)."""
    try:
        until = int(request.COOKIES.get(PIN_COOKIE, ""))
    except ValueError:
        return False
    now = time.time()
    return now < until <= now + settings.REPLICA_PIN_SECONDS + 1


def pin(response) -> None:
    seconds = settings.REPLICA_PIN_SECONDS
    response.set_cookie(
        PIN_COOKIE,
        str(int(time.time()) + seconds),
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = _reader.get()
        if alias is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
