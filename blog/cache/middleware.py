"""The page cache: whole responses for anonymous readers, answered before sessions are read.

``PageCacheMiddleware`` sits right after the security, health-check and static-file middleware
and before the session, locale, authentication and messages middleware. A ``GET`` or ``HEAD``
without a session (or messages) cookie, for a path some public view answers, is looked up with
one cache read (the page together with the invalidation generation); a kept page is plain data
— status, header list, body bytes and their gzip — turned into a response without any other
middleware or the view running below. The security headers (HSTS, CSP, …) are added by the
middleware above it, on hits as on misses.

The key is scheme, host, path and the view's declared query parameters (``cache_parameters``),
normalized; with one entry in ``LANGUAGES`` (a Japanese site) the locale middleware answers every
reader alike, so ``Accept-Language`` is not part of the key and is dropped from ``Vary``; with
more languages the negotiated language joins the key.

A kept page carries the cache tags of everything it shows (``Cache-Tag``, ``Surrogate-Key``),
is indexed under them (``store``), and expires after ``PAGE_CACHE_SECONDS`` or at the next
scheduled publication, whichever comes first. ``X-Page-Cache: hit|miss`` tells operators and the
benchmark which it was. Conditional requests are answered ``304`` from the kept ``ETag`` (or
``Last-Modified``). Staff (a session cookie) never get a kept page, and theirs are private.
"""

import gzip
import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from . import fragments, store

PAGE_KEY = "page:{digest}"
MAX_QUERY_LENGTH = 400
COMPRESS_MIN_BYTES = 512
COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/atom+xml", "application/json", "application/feed+json")
# Headers of the response that are the page cache's own, or never kept.
NOT_KEPT = {"set-cookie", "cache-control", "x-page-cache", "etag", "last-modified", "vary", "content-length", "cache-tag", "surrogate-key"}


def excluded_prefixes() -> tuple[str, ...]:
    return (
        "/" + settings.ADMIN_PATH,
        "/markdownx/",
        "/healthz",
        settings.STATIC_URL,
        settings.MEDIA_URL,
        "/api/",  # the Content API: its answers depend on Origin, and each request is rate-counted (blog/api/)
        "/og/",  # share images: immutable URLs with their own Cache-Control (blog/share_images.py)
    )


def page_number(value: str) -> str:
    """``?page=`` normalized: ``02`` is ``2``, and ``1`` is the same page as no parameter."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        value = str(int(value))
    return "" if value == "1" else value


def declared_parameters(request) -> dict | None:
    """The query parameters the view at this path reads, as ``{name: normalizer}`` (its
    ``cache_parameters``); ``None`` when no view answers the path, or the view is not kept."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    request._cache_view = view
    return getattr(view, "cache_parameters", {})


def normalize_query(request, declared: dict) -> str:
    """Rewrite the query string to the declared parameters, normalized and sorted: tracking tags,
    junk and repeats are dropped before the view runs, so it renders exactly what the key names."""
    values = {}
    # WSGI hands the raw bytes over as latin-1; a client may send them unescaped (UTF-8).
    raw = request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace").decode("utf-8", "replace")
    for name, value in parse_qsl(raw, keep_blank_values=True):
        if name in declared:
            values[name] = value  # the last one wins, as QueryDict.get does
    normalized = {name: declared[name](value) for name, value in values.items()}
    query = urlencode(sorted((name, value) for name, value in normalized.items() if value))
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.__dict__.pop("GET", None)  # parsed again from the rewritten string
    return query


def cache_host(request) -> str | None:
    """The host a page may be kept for, or ``None`` to keep nothing for this request.

    With ``DJANGO_SITE_URL`` only its host; otherwise a host named literally in ``ALLOWED_HOSTS``
    (wildcards are never kept), with no port or the port this server listens on. Pages carry
    absolute URLs built from the host, so each variant is its own page: bounded this way.
    """
    host = request.get_host().lower()
    if settings.SITE_URL:
        return host if host == urlsplit(settings.SITE_URL).netloc.lower() else None
    name, _, port = host.rpartition(":") if host.rsplit(":", 1)[-1].isdigit() else (host, "", "")
    if port and port != str(request.META.get("SERVER_PORT", "")):
        return None
    literal = {allowed.lower() for allowed in settings.ALLOWED_HOSTS if allowed != "*" and not allowed.startswith(".")}
    return host if name in literal else None


def page_key(request) -> str | None:
    """The page's key: scheme, host, path and the declared parameters; ``None``: keep nothing."""
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return None
    declared = declared_parameters(request)
    host = cache_host(request)
    if declared is None or host is None:
        return None
    query = normalize_query(request, declared)
    identity = f"{request.scheme}://{host}{request.path}?{query}"
    if len(settings.LANGUAGES) > 1:
        identity += "|" + translation.get_language_from_request(request)
    return PAGE_KEY.format(digest=hashlib.sha256(identity.encode()).hexdigest())


def has_session(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


def is_cacheable_response(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def tag_headers(response, tags) -> None:
    if tags:
        tags = sorted(tags)
        response["Cache-Tag"] = ",".join(tags)
        response["Surrogate-Key"] = " ".join(tags)


def accepts_gzip(request) -> bool:
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


# -- A kept page: (expires_at, rendered_at, status, headers, body, gzipped, etag, tags) ----------


def keep_page(request, key: str, response, now: float) -> tuple | None:
    tags = fragments.response_tags(request)
    expires_at = fragments.expiry(request, now, settings.PAGE_CACHE_SECONDS)
    if expires_at <= now:
        return None
    body = response.content
    content_type = response.get("Content-Type", "")
    gzipped = None
    if len(body) >= COMPRESS_MIN_BYTES and content_type.startswith(COMPRESSIBLE):
        gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    etag = response.get("ETag") or '"%s"' % hashlib.md5(body, usedforsecurity=False).hexdigest()
    last_modified = parse_http_date_safe(response.get("Last-Modified", "")) or int(now)
    vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
    if len(settings.LANGUAGES) == 1:
        vary = [v for v in vary if v.lower() != "accept-language"]
    headers = [(name, value) for name, value in response.items() if name.lower() not in NOT_KEPT]
    headers.append(("Vary", ", ".join(vary)) if vary else ("Vary", "Cookie"))
    page = (expires_at, last_modified, response.status_code, headers, body, gzipped, etag, tuple(sorted(tags)))
    store.keep(key, page, tags, int(expires_at - now) + 1, fragments.started(request))
    return page


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def answer(request, page, now: float, state: str):
    """The response for a kept ``page``: 304 if the reader's copy is current, else the body,
    gzipped when the reader accepts it."""
    expires_at, last_modified, status, headers, body, gzipped, etag, tags = page
    use_gzip = gzipped is not None and accepts_gzip(request)
    variant_etag = etag[:-1] + '-gzip"' if use_gzip else etag
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        matches = if_none_match.strip() == "*" or bool(_etags(if_none_match) & {etag, variant_etag})
    else:
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        matches = since is not None and last_modified <= since
    if matches:
        response = HttpResponse(status=304)
        del response["Content-Type"]
    else:
        content = gzipped if use_gzip else body
        response = HttpResponse(b"" if request.method == "HEAD" else content, status=status, headers=headers)
        if request.method == "HEAD":
            response["Content-Length"] = str(len(content))
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    if matches:
        for name, value in headers:
            if name.lower() in ("vary", "content-location", "expires"):
                response[name] = value
    if gzipped is not None:
        patch_vary_headers(response, ["Accept-Encoding"])
    patch_vary_headers(response, ["Cookie"])
    response["ETag"] = variant_etag
    response["Last-Modified"] = http_date(last_modified)
    shared_max_age = max(0, min(settings.CDN_CACHE_SECONDS, int(expires_at - now)))
    patch_cache_control(response, public=True, max_age=0, s_maxage=shared_max_age)
    tag_headers(response, tags)
    response["X-Page-Cache"] = state
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path.startswith(excluded_prefixes()):
            return self.get_response(request)
        if has_session(request):
            return self.private(request, self.get_response(request))
        key = page_key(request) if settings.PAGE_CACHE_SECONDS > 0 else None
        if key is None:
            return self.public(request, self.get_response(request))
        found = store.get_many([key, store.GENERATION_KEY])  # one round trip for a hit
        request._cache_generation = int(found.get(store.GENERATION_KEY) or 0)
        now = timezone.now().timestamp()
        page = found.get(key)
        if isinstance(page, tuple) and len(page) == 8 and page[0] > now:
            return answer(request, page, now, "hit")

        conditional = {name: request.META.pop(name) for name in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE") if name in request.META}
        response = self.get_response(request)
        request.META.update(conditional)
        if fragments.is_private(request):
            return self.private(request, response)
        if request.method != "GET" or not is_cacheable_response(response) or (
            getattr(request, "_cache_view", None) is not None
            and getattr(request._cache_view, "cache_only_repeated", False)
            and not fragments.seen_before(request, key)
        ):
            return self.public(request, response)
        page = keep_page(request, key, response, now)
        if page is None:
            return self.public(request, response)
        return answer(request, page, now, "miss")

    @staticmethod
    def private(request, response):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Staff see their own, fresh page; neither the browser nor a CDN keeps it.
            patch_cache_control(response, private=True, no_cache=True)
        return response

    @staticmethod
    def public(request, response):
        """A response not kept here: still named by its tags, for a CDN in front."""
        if not fragments.is_private(request) and response.status_code == 200:
            tag_headers(response, fragments.response_tags(request))
        return response
