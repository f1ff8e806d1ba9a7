"""Requests per client address and minute, counted in the cache: a view past its budget answers 429.

For cheap public endpoints (search suggestions, the Content API), where losing a count when the cache drops it
costs nothing worse than a few extra answers. Admin logins are throttled in the database
(``config.login_throttle``), where a flood cannot lift a lock.
"""

import functools
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse

from config.middleware import client_address

WINDOW_SECONDS = 60


def retry_after(scope: str, address: str, limit: int) -> int | None:
    """Count one request from ``address`` in ``scope``; seconds to wait when it is over ``limit``, else ``None``.

    Fixed one-minute windows: one ``add`` and one ``incr`` per request. A ``limit`` of 0 or less
    counts nothing. A count the cache dropped between ``add`` and ``incr`` starts afresh.
    """
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    digest = hashlib.sha256(address.encode()).hexdigest()[:24]
    key = f"rate:{scope}:{digest}:{window}"
    cache.add(key, 0, WINDOW_SECONDS + 1)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS + 1)
        used = 1
    if used is None or used <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))


def per_minute(setting: str, scope: str):
    """Allow ``settings.<setting>`` requests per address and minute to the view, then 429 with Retry-After."""

    def decorate(view):
        @functools.wraps(view)
        def limited(request, *args, **kwargs):
            wait = retry_after(scope, client_address(request), getattr(settings, setting))
            if wait is not None:
                response = JsonResponse({"error": "リクエストが多すぎます。少し待ってからお試しください。"}, status=429)
                response["Retry-After"] = str(wait)
                response["Cache-Control"] = "no-store"
                return response
            return view(request, *args, **kwargs)

        return limited

    return decorate
