"""Requests per client address and minute, counted in the cache: a view past its budget answers 429.

For cheap public endpoints (search suggestions), where losing a count when the cache drops it
costs nothing worse than a few extra answers. Admin logins are throttled in the database
(``config.login_throttle``), where a flood cannot lift a lock.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse

from config.middleware import client_address

WINDOW_SECONDS = 60


def per_minute(setting: str, scope: str):
    """Allow ``settings.<setting>`` requests per address and minute to the view, then 429 with Retry-After."""

    def decorate(view):
        @functools.wraps(view)
        def limited(request, *args, **kwargs):
            now = time.time()
            window = int(now // WINDOW_SECONDS)
            address = hashlib.sha256(client_address(request).encode()).hexdigest()[:24]
            key = f"rate:{scope}:{address}:{window}"
            cache.add(key, 0, WINDOW_SECONDS + 1)
            try:
                used = cache.incr(key)
            except ValueError:  # dropped between add and incr (or no cache): count afresh
                cache.set(key, 1, WINDOW_SECONDS + 1)
                used = 1
            if used is not None and used > getattr(settings, setting):
                response = JsonResponse({"error": "リクエストが多すぎます。少し待ってからお試しください。"}, status=429)
                response["Retry-After"] = str(max(1, int((window + 1) * WINDOW_SECONDS - now) + 1))
                response["Cache-Control"] = "no-store"
                return response
            return view(request, *args, **kwargs)

        return limited

    return decorate
