"""Django's Redis cache, made to fail soft: a cache outage must never take the site down.

Every Redis error is logged (at most once per ``LOG_EVERY`` seconds per process, so an
outage does not flood the logs) and answered as a cache miss: ``get`` returns the
default, ``add``/``delete``/``touch``/``has_key`` return ``False``, writes are dropped.
After an error the process leaves Redis alone for ``RETRY_AFTER`` seconds instead of
paying a connection attempt on every call, then tries again; nothing needs restarting
when Redis comes back.

``incr``/``decr`` on a missing key still raise ``ValueError`` as the base class says:
that is a caller's mistake, not an outage.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("config.cache")

try:  # redis is a declared dependency; the guard only keeps imports cheap to reason about.
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError

CACHE_ERRORS = (RedisError, OSError)


class ResilientRedisCache(RedisCache):
    RETRY_AFTER = 2.0
    LOG_EVERY = 30.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._last_logged = 0.0

    # -- outage bookkeeping ---------------------------------------------------------

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self.RETRY_AFTER
            should_log = now - self._last_logged >= self.LOG_EVERY
            if should_log:
                self._last_logged = now
        if should_log:
            logger.error("Cache unavailable during %s, serving without cache: %s", operation, error)

    def _call(self, operation: str, default, func, *args, **kwargs):
        if self.is_down:
            return default
        try:
            return func(*args, **kwargs)
        except CACHE_ERRORS as error:
            self._failed(operation, error)
            return default

    def ping(self) -> bool:
        """Ask Redis directly (health checks): ``True`` if it answers, errors are not swallowed."""
        return bool(self._cache.get_client(write=True).ping())

    # -- the cache API ----------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        if self.is_down:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        try:
            return super().incr(key, delta, version)
        except CACHE_ERRORS as error:
            self._failed("incr", error)
            raise ValueError(f"Key '{key}' not found (cache unavailable).") from error

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
