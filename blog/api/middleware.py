"""What every Content API response shares, in one layer in front of the views.

- CORS: a browser script on an origin in ``API_CORS_ORIGINS`` may read the API. The origin is
  echoed (or ``*`` when so configured), never with ``Access-Control-Allow-Credentials``: the API
  reads no cookies. Preflight ``OPTIONS`` requests are answered here.
- A per-address rate limit (``API_RATE_LIMIT`` requests a minute, counted in the cache):
  past it, 429 with ``Retry-After`` and a JSON body.
- ``ETag`` / 304 without touching the database: the tag is taken over the invalidation
  generation (``blog.cache.store``, moved on by every change a public page shows), the next
  scheduled publication (so a tag never outlives the moment an article appears), this code,
  the full URL and the current ``PAGE_CACHE_SECONDS`` period (the bound a kept page has too). A client that sends it back in ``If-None-Match`` gets a 304 from the cache alone.

Placed before ``ConditionalGetMiddleware``, so its own 304s carry the CORS headers too. The
whole-page cache skips the API (``blog.cache.middleware.excluded_prefixes``): responses depend on the
``Origin`` and every request must be counted.
"""

import hashlib
import time
from pathlib import Path

import ninja
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from config.middleware import client_address

from .. import ratelimit
from ..cache import fragments, store
from .errors import error_response

PREFIX = "/api/"
SAFE_METHODS = ("GET", "HEAD")
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since"
EXPOSED_HEADERS = "ETag, Retry-After"
PREFLIGHT_MAX_AGE = 600
# The API's own code: a deploy that changes what it answers changes every ETag.
CODE_DIGEST = hashlib.sha256(
    b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py"))) + ninja.__version__.encode()
).hexdigest()[:16]


def allowed_origin(origin: str | None) -> str | None:
    """The ``Access-Control-Allow-Origin`` value for ``origin``, or ``None`` to send none."""
    origins = settings.API_CORS_ORIGINS
    if not origin or not origins:
        return None
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def content_etag(request) -> str | None:
    """The ETag of whatever this URL answers under the current content; ``None`` without a cache
    (or with the page cache off), and the body's own ETag stands (``ConditionalGetMiddleware``).

    Like a kept page, a tag lasts at most ``PAGE_CACHE_SECONDS``: without Redis each process has
    its own version and does not see a change saved by another.
    """
    if settings.PAGE_CACHE_SECONDS <= 0:
        return None
    version = store.generation()
    upcoming = fragments.next_visibility_change()
    period = int(time.time() // settings.PAGE_CACHE_SECONDS)
    identity = f"{CODE_DIGEST}|{version}|{upcoming}|{period}|{settings.SITE_URL}|{request.build_absolute_uri()}"
    return '"%s"' % hashlib.sha256(identity.encode()).hexdigest()[:32]


def not_modified(etag: str) -> HttpResponse:
    response = HttpResponse(status=304)
    del response["Content-Type"]
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


class ContentApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        origin = allowed_origin(request.headers.get("Origin"))
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOWED_METHODS
            if origin:
                response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        else:
            response = self.answer(request)
        if origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        patch_vary_headers(response, ["Origin"])
        return response

    def answer(self, request):
        if request.method not in SAFE_METHODS:
            return error_response(
                405, "method_not_allowed", "この API は読み取り専用です（GET のみ）。", Allow=ALLOWED_METHODS
            )
        wait = ratelimit.retry_after("api", client_address(request), settings.API_RATE_LIMIT)
        if wait is not None:
            return error_response(
                429,
                "rate_limited",
                f"リクエストが多すぎます。{wait} 秒後にもう一度お試しください。",
                Retry_After=str(wait),
            )
        etag = content_etag(request)
        if etag and (etag in parse_etags(request.headers.get("If-None-Match", "")) or request.headers.get("If-None-Match") == "*"):
            return not_modified(etag)
        head = request.method == "HEAD"
        if head:  # the endpoints are declared for GET: HEAD is the same answer without its body
            request.method = "GET"
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("application/json"):
            # The site's own HTML answers, given to an API client in the API's shape.
            if response.status_code == 404:
                response = error_response(404, "not_found", "この URL には API がありません。")
            elif response.status_code == 503:
                response = error_response(
                    503, "unavailable", "ただいま混み合っているか、メンテナンス中です。しばらくしてからお試しください。",
                    Retry_After=response.get("Retry-After", "30"),
                )
        if head:
            request.method = "HEAD"
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        if response.status_code == 200:
            if etag:
                response["ETag"] = etag
            response["Cache-Control"] = "no-cache"
        return response
