"""Kept entries indexed by cache tag: what invalidating a tag deletes.

Every kept entry (a page, a fragment, a remembered value) is stored under its own key and
its key is added to the index of each of its tags. Invalidating tags deletes the indexed keys,
so reading an entry is one plain ``get``: a page-cache hit is one round trip, whatever the
number of tags it carries.

Races. A render reads the database, then stores; an invalidation may fall in between, and would
find nothing to delete yet. So each invalidation moves a counter (the *generation*) and stamps
each invalidated tag with it; a render notes the generation before it reads anything, and after
storing (index first, then the entry) reads the stamps of its tags: a stamp newer than its start
means the entry may hold old rows, and it deletes it again. Whichever order the two interleave
in, the entry is gone: either the invalidation finds it indexed, or the render sees the stamp.
Invalidations run after the commit (and, with replicas, once more when they caught up), so an
entry rendered from rows older than the change never outlives it; a cache that loses a stamp
(evicted) or fails during an invalidation leaves entries until their own expiry, which is at
most ``PAGE_CACHE_SECONDS`` / ``FRAGMENT_CACHE_SECONDS``.

With Redis the index is a set per tag (``SADD``/``SMEMBERS``), shared by every worker; with
local memory it is a Python set per tag in the process's own cache (each process keeps and
invalidates its own entries, as with any local-memory cache).
"""

import logging

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("blog.cache")

GENERATION_KEY = "cache:generation"
INDEX_KEY = "cache:tag-keys:{tag}"
STAMP_KEY = "cache:tag-stamp:{tag}"
# A stamp only has to outlive the renders that started before it (seconds, not hours).
STAMP_SECONDS = 3600

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError

ERRORS = (RedisError, OSError)


def _redis():
    """The default cache and its raw Redis client when it is Redis (and up), else ``None``."""
    backend = caches["default"]
    if isinstance(backend, RedisCache) and not getattr(backend, "is_down", False):
        return backend, backend._cache.get_client(write=True)
    return None


def _failed(operation: str, error: Exception) -> None:
    failed = getattr(caches["default"], "_failed", None)
    if failed:
        failed(operation, error)
    else:
        logger.error("Cache unavailable during %s: %s", operation, error)


def get(key):
    return cache.get(key)


def get_many(keys) -> dict:
    return cache.get_many(list(keys))


def generation() -> int:
    """The invalidation counter: a render notes it before reading the database."""
    return int(cache.get(GENERATION_KEY) or 0)


def keep(key: str, value, tags, timeout: int, started: int) -> bool:
    """Store ``value`` under ``key`` for ``timeout`` seconds, indexed under ``tags``, unless one
    of ``tags`` was invalidated since generation ``started``. ``True`` if it stays kept."""
    tags = sorted(set(tags))
    redis = _redis()
    if redis is not None:
        backend, client = redis
        try:
            pipe = client.pipeline(transaction=False)
            raw_key = backend.make_and_validate_key(key)
            for tag in tags:
                index = backend.make_and_validate_key(INDEX_KEY.format(tag=tag))
                pipe.sadd(index, raw_key)
                pipe.expire(index, timeout + 60)
            pipe.set(raw_key, backend._cache._serializer.dumps(value), ex=max(1, timeout))
            pipe.mget([backend.make_and_validate_key(STAMP_KEY.format(tag=tag)) for tag in tags] or ["-"])
            stamps = pipe.execute()[-1]
            if any(int(stamp) > started for stamp in stamps if stamp is not None):
                client.delete(raw_key)
                return False
            return True
        except ERRORS as error:
            _failed("keep", error)
            return False
    for tag in tags:
        index_key = INDEX_KEY.format(tag=tag)
        index = cache.get(index_key) or set()
        index.add(key)
        cache.set(index_key, index, timeout + 60)
    cache.set(key, value, max(1, timeout))
    stamps = cache.get_many([STAMP_KEY.format(tag=tag) for tag in tags])
    if any(int(stamp) > started for stamp in stamps.values()):
        cache.delete(key)
        return False
    return True


def invalidate(tags) -> int:
    """Delete every entry indexed under ``tags``; returns the new generation (0: no cache)."""
    tags = sorted(set(tags))
    if not tags:
        return generation()
    redis = _redis()
    if redis is not None:
        backend, client = redis
        try:
            raw_generation = backend.make_and_validate_key(GENERATION_KEY)
            current = client.incr(raw_generation)
            pipe = client.pipeline(transaction=True)
            for tag in tags:
                index = backend.make_and_validate_key(INDEX_KEY.format(tag=tag))
                pipe.set(backend.make_and_validate_key(STAMP_KEY.format(tag=tag)), current, ex=STAMP_SECONDS)
                pipe.smembers(index)
                pipe.delete(index)
            results = pipe.execute()
            keys = set().union(*[members for members in results[1::3]])
            if keys:
                client.delete(*keys)
            return current
        except ERRORS as error:
            _failed("invalidate", error)
            return 0
    try:
        current = cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 0, None)
        current = cache.incr(GENERATION_KEY)
    keys = set()
    for tag in tags:
        cache.set(STAMP_KEY.format(tag=tag), current, STAMP_SECONDS)
        keys |= cache.get(INDEX_KEY.format(tag=tag)) or set()
        cache.delete(INDEX_KEY.format(tag=tag))
    if keys:
        cache.delete_many(list(keys))
    return current
