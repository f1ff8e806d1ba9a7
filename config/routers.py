"""Reads from PostgreSQL read replicas (``DATABASE_REPLICA_URLS``), everything else from the primary.

Only a request that ``config.middleware.ReplicaRoutingMiddleware`` marks as an anonymous public
read goes to a replica, and within it only reads outside a transaction: writes, reads inside
``transaction.atomic()``, sessions and users, management commands, tasks and every staff request
use the primary (``default``). A write request by a signed-in user pins the browser to the
primary for ``DJANGO_REPLICA_PIN_SECONDS`` (a cookie), so an editor sees what they just changed
even where they browse without their session. After a content change the page cache moves on
once more when the replicas have replayed it (``blog.cache.purge``), so a page
rendered from a replica in between is not kept.
"""

import contextlib
import contextvars
import random
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

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


def wait_for_replicas(timeout=None) -> bool:
    """Wait until every replica has replayed what the primary has committed so far (``False``: gave up).

    Bounded by ``DJANGO_REPLICA_MAX_LAG_SECONDS``; a replica that cannot be reached is not waited for.
    """
    if not settings.DATABASE_REPLICAS or connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return True
    deadline = time.monotonic() + (settings.REPLICA_MAX_LAG_SECONDS if timeout is None else timeout)
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (lsn,) = cursor.fetchone()
        for alias in settings.DATABASE_REPLICAS:
            with connections[alias].cursor() as cursor:
                while True:
                    cursor.execute("SELECT coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0, true)", [lsn])
                    if cursor.fetchone()[0]:
                        break
                    if time.monotonic() >= deadline:
                        return False
                    time.sleep(0.01)
    except DatabaseError:
        return False
    return True


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
