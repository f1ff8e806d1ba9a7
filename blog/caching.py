"""Whole-page caching for anonymous readers, and the rule that keeps it correct.

A page is stored once per URL together with the *content version* it was rendered under.
Any saved or deleted ``Article``, ``Category``, ``Tag``, ``TaggedArticle``, ``Author``, ``Picture``,
``Series``, ``SeriesEntry``, ``AliasGroup`` or ``Alias`` (and any change to an article's authors or tags) moves the version
on, so every stored page is stale at once — publishing, unpublishing, editing, renaming or merging all show on the
next request, whichever code made the change (the editorial workflow, the admin, a
management command), as long as it goes through ``save()``/``delete()``.

The one change nobody saves is time passing: a scheduled article becomes visible when its
``published_at`` arrives. So no page outlives the next future ``published_at``: its expiry
is capped at that moment, and checked against the clock on every hit.

Logged-in users never get a cached page, and their pages are marked private. With Redis,
the version and the pages are shared by every worker and every web container; without it
(local memory) each worker process keeps its own copy.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date
from django.utils.safestring import mark_safe

logger = logging.getLogger("blog.caching")

VERSION_KEY = "content:version"
NEXT_CHANGE_KEY = "content:next-change:{version}"
PAGE_KEY = "page:{digest}"
MAX_QUERY_LENGTH = 400
# Search pages are kept only when asked for twice, for at most this many queries per version.
SEEN_KEY = "content:{version}:seen-queries"
REPEATED_QUERIES_KEPT = 500
NO_NEXT_CHANGE = 0.0
CARD_FRAGMENT = "article-card"  # the {% cache %} name in templates/blog/includes/card.html
# A search card's date, category, byline and tags (its title and snippet show the query): article_card.html.
CARD_DETAILS_FRAGMENT = "article-card-details"
# An article page's header and meta tags (templates/blog/article_detail.html).
ARTICLE_HEADER_FRAGMENT, ARTICLE_META_FRAGMENT = "article-header", "article-meta"
# The series box of an article in a series (templates/blog/includes/series_box.html).
SERIES_BOX_FRAGMENT = "series-box"


# -- The content version --------------------------------------------------------------


def current_version() -> str | None:
    """Return the content version, creating one if the cache has none. ``None``: no cache."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def bump_version() -> None:
    """Make every stored page stale (a fresh random version never collides with an old one)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def content_changed(**kwargs) -> None:
    """Signal receiver: bump now, and again after the surrounding transaction commits.

    The second bump closes a race: a reader that fetched the new version before the commit
    may have rendered and stored the old rows under it.
    """
    bump_version()
    transaction.on_commit(bump_version, robust=True)
    if settings.DATABASE_REPLICAS:
        # And once more when the replicas have the change: a reader served by a lagging
        # replica may have stored the old rows under the second version.
        transaction.on_commit(bump_version_after_replicas, robust=True)


def bump_version_after_replicas() -> None:
    from config.routers import wait_for_replicas

    wait_for_replicas()
    bump_version()


def connect_signals() -> None:
    from .models import Alias, AliasGroup, Article, Author, Category, Picture, Series, SeriesEntry, Tag, TaggedArticle

    # aliases change what a search finds and where a tag's other names lead
    for model in (Article, Category, Tag, TaggedArticle, Author, Picture, Series, SeriesEntry, AliasGroup, Alias):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"blog.caching.save.{model.__name__}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"blog.caching.delete.{model.__name__}")
    for through in (Article.authors.through, TaggedArticle):
        m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"blog.caching.m2m.{through.__name__}")


def next_visibility_change(version: str) -> float:
    """Return the epoch time of the next future ``published_at`` (0.0 if none).

    Counts published and scheduled articles: either may become visible at that moment (the
    latter once the workflow flips its status, which is a save and bumps the version anyway).
    Remembered per content version until that moment.
    """
    from .models import Article

    key = NEXT_CHANGE_KEY.format(version=version)
    cached = cache.get(key)
    if cached is not None and (cached == NO_NEXT_CHANGE or cached > timezone.now().timestamp()):
        return cached
    now = timezone.now()
    upcoming = (
        Article.objects.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED], published_at__gt=now
        )
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    value = upcoming.timestamp() if upcoming else NO_NEXT_CHANGE
    timeout = max(1, int(value - now.timestamp()) + 1) if upcoming else settings.PAGE_CACHE_SECONDS
    cache.set(key, value, timeout)
    return value


def expiry(version: str, now: float, seconds: int) -> float:
    """When something kept for ``seconds`` must go: then, or when the next scheduled article appears."""
    next_change = next_visibility_change(version)
    return min(now + seconds, next_change) if next_change else now + seconds


def keep_nothing(request) -> None:
    """Mark ``request`` as private (a staff preview, a share link): nothing it renders is kept."""
    request._keep_nothing = True


def is_private(request) -> bool:
    """Staff, previews and share links: what they see is never stored under a public key.

    A request that never reached the authentication middleware (an error page for a bad Host)
    counts as private too: nothing is known about who asked.
    """
    user = getattr(request, "user", None)
    return user is None or user.is_authenticated or getattr(request, "_keep_nothing", False)


def fragment_version(request) -> str | None:
    """The content version to keep fragments under for this request; ``None``: keep nothing.

    Staff get nothing kept, like their pages: they must see a change made any way at all.
    """
    if settings.FRAGMENT_CACHE_SECONDS <= 0 or is_private(request) or cache_host(request) is None:
        return None
    if not hasattr(request, "_content_version"):  # once per request: with Redis, each is a round trip
        request._content_version = current_version()
    return request._content_version


def remember(request, name: str, compute):
    """Return ``compute()``, kept until the content changes or a scheduled article appears.

    For values that depend on public content only (the navigation's categories, a list's
    article count). Without a cache (or with Redis down), or for staff, it simply computes.
    """
    version = fragment_version(request)
    if version is None:
        return compute()
    key = f"content:{version}:{name}"
    now = timezone.now().timestamp()
    stored = cache.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] > now:
        return stored[1]
    value = compute()
    expires_at = expiry(version, now, settings.FRAGMENT_CACHE_SECONDS)
    if expires_at > now:
        cache.set(key, (expires_at, value), max(1, int(expires_at - now) + 1))
    return value


def kept_fragments(request, wanted: dict) -> dict:
    """The HTML the cache keeps for each of ``wanted`` — ``{name: (fragment, pk, *vary_on)}``,
    keyed as ``{% cache … fragment pk content_version *vary_on %}`` keys it — in one ``get_many``.

    What a view finds here it hands to the template, which then neither renders the fragment
    nor asks the cache for it again. ``{}`` for staff, without a cache, or with fragments off.
    """
    version = fragment_version(request) if request is not None else None
    if version is None or not wanted:
        return {}
    keys = {
        name: make_template_fragment_key(fragment, [pk, version, *vary])
        for name, (fragment, pk, *vary) in wanted.items()
    }
    found = cache.get_many(list(keys.values()))
    # The HTML is what the {% cache %} tag rendered from our own templates.
    return {name: mark_safe(found[key]) for name, key in keys.items() if key in found}


def kept_article_parts(request, article, *, in_series: bool = False) -> dict:
    """An article page's kept header and meta tags (and series box, ``in_series``), as
    ``{"header": html, "meta": html, "series": html}``; authors and tags are prefetched only
    when the header or the meta tags must be rendered."""
    wanted = {
        "header": (ARTICLE_HEADER_FRAGMENT, article.pk),
        # meta tags carry absolute URLs: kept per scheme and host
        "meta": (ARTICLE_META_FRAGMENT, article.pk, request.scheme, request.get_host()),
    }
    if in_series:
        wanted["series"] = (SERIES_BOX_FRAGMENT, article.pk)
    kept = kept_fragments(request, wanted)
    if "header" not in kept or "meta" not in kept:
        prefetch_related_objects([article], "authors", "tags")
    return kept


@dataclass(frozen=True)
class Card:
    """One article card of a list: its kept HTML, or the article to render (and keep) it from."""

    pk: int
    html: str | None = None
    article: object | None = None
    details: str | None = None  # a search card's kept date, category, byline and tags
    # How its cover loads (blog.pictures.picture_html): "lazy" below the fold, "eager" or
    # "high" for the first cards of the home page. Part of the kept fragment's key.
    loading: str = "lazy"


def card_loading(position: int, eager: int) -> str:
    """The cover loading of the card at ``position`` (0-based) when the first ``eager`` load at once."""
    if position >= eager:
        return "lazy"
    return "high" if position == 0 else "eager"


def article_cards(request, ids, listing, *, eager: int = 0) -> list[Card]:
    """Cards for the articles ``ids``, in that order: kept HTML where the cache has it; the
    first ``eager`` load their covers at once (``card_loading``).

    A card (templates/blog/includes/card.html) depends only on its article, so it is
    kept under the content version. Article rows — with their authors and tags — are read from
    ``listing`` (a ``published().for_listing()``) only for the cards not kept: a warm list page
    reads its ids, which always come from the database, and nothing else. Staff, or a site with
    fragments off, get every article. The page's queries stay constant whatever the data size.
    """
    ids = list(ids)
    loading = {pk: card_loading(position, eager) for position, pk in enumerate(ids)}
    kept = kept_fragments(request, {pk: (CARD_FRAGMENT, pk, loading[pk]) for pk in ids})
    missing = [pk for pk in ids if pk not in kept]
    articles = {article.pk: article for article in listing.filter(pk__in=missing).order_by()} if missing else {}
    return [
        Card(pk, html=kept.get(pk), article=articles.get(pk), loading=loading[pk])
        for pk in ids
        if pk in kept or pk in articles
    ]


def page_cards(request, page_queryset, listing, *, eager: int = 0) -> list[Card]:
    """``article_cards`` for a page of ``listing`` (a sliced queryset): one narrow query for the ids,
    or, when no card can be kept, the page's articles in one go."""
    if fragment_version(request) is None:
        return [
            Card(article.pk, article=article, loading=card_loading(position, eager))
            for position, article in enumerate(page_queryset)
        ]
    ids = page_queryset.prefetch_related(None).select_related(None).values_list("pk", flat=True)
    return article_cards(request, ids, listing, eager=eager)


# -- The page cache -------------------------------------------------------------------


@dataclass
class CachedPage:
    version: str
    expires_at: float
    rendered_at: float
    status: int
    content: bytes
    headers: dict


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
    ``cache_parameters``); ``None`` when no view answers the path."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    return getattr(view, "cache_parameters", {})


def normalize_query(request, declared: dict) -> str:
    """Rewrite the request's query string to the declared parameters, normalized and sorted.

    Everything else (tracking tags, junk, repeats) is dropped before the view runs, so the view
    renders exactly what the key names: ``/?x=1`` and ``/`` are one page, kept once.
    """
    values = {}
    for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True):
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
    """The page's cache key: scheme, host, path and the declared parameters; ``None``: keep nothing."""
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return None
    declared = declared_parameters(request)
    host = cache_host(request)
    if declared is None or host is None:
        return None
    query = normalize_query(request, declared)
    identity = f"{request.scheme}://{host}{request.path}?{query}"
    return PAGE_KEY.format(digest=hashlib.sha256(identity.encode()).hexdigest())


def seen_before(request, token: str) -> bool:
    """Whether ``token`` (a search) was asked for before under this content version; records it.

    At most ``REPEATED_QUERIES_KEPT`` tokens per version, in one cache entry: past that budget,
    new tokens are never "seen", so what depends on them is answered but not kept. ``False``
    for requests that keep nothing.
    """
    version = fragment_version(request) or getattr(request, "_content_version", None)
    if version is None:
        return False
    memo = request.__dict__.setdefault("_seen_tokens", {})
    if token not in memo:
        seen_key = SEEN_KEY.format(version=version)
        seen = cache.get(seen_key)
        seen = seen if isinstance(seen, set) else set()
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        memo[token] = digest in seen
        if not memo[token] and len(seen) < REPEATED_QUERIES_KEPT:
            seen.add(digest)
            cache.set(seen_key, seen, max(settings.PAGE_CACHE_SECONDS, settings.FRAGMENT_CACHE_SECONDS, 1))
    return memo[token]


def keeps_repeated_only(request) -> bool:
    view = getattr(resolve(request.path_info).func, "view_class", None)
    return getattr(view, "cache_only_repeated", False)


def is_cacheable_response(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def add_public_headers(response, page: CachedPage, now: float) -> None:
    shared_max_age = max(0, min(settings.CDN_CACHE_SECONDS, int(page.expires_at - now)))
    patch_cache_control(response, public=True, max_age=0, s_maxage=shared_max_age)
    patch_vary_headers(response, ["Cookie"])
    # Keep a view's own Last-Modified (feeds give their newest update); else the render time.
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(page.rendered_at)


class PublicPageCacheMiddleware:
    """Serve anonymous ``GET`` requests for public pages (and feeds) from the cache.

    Sits after the authentication middleware. Adds ``X-Page-Cache: hit|miss`` for
    operators and the benchmark; ``ConditionalGetMiddleware`` turns the ``ETag`` and
    ``Last-Modified`` set here into 304 responses.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path.startswith(excluded_prefixes()):
            return self.get_response(request)
        if request.user.is_authenticated:
            response = self.get_response(request)
            # Staff see their own, fresh page; neither the browser nor a CDN keeps it.
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if settings.PAGE_CACHE_SECONDS <= 0:
            return self.get_response(request)
        key = page_key(request)
        if key is None:
            return self.get_response(request)
        found = cache.get_many([VERSION_KEY, key])  # one round trip for a hit
        version = found.get(VERSION_KEY) or current_version()
        if version is None:
            return self.get_response(request)
        request._content_version = version  # the same version for the fragments, if rendered

        now = timezone.now().timestamp()
        page = found.get(key)
        if isinstance(page, CachedPage) and page.version == version and page.expires_at > now:
            response = HttpResponse(page.content, status=page.status, headers=page.headers)
            add_public_headers(response, page, now)
            response["X-Page-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if request.method != "GET" or not is_cacheable_response(response) or (
            keeps_repeated_only(request) and not seen_before(request, key)
        ):
            return response
        expires_at = expiry(version, now, settings.PAGE_CACHE_SECONDS)
        if expires_at <= now:
            return response
        if not response.has_header("ETag"):
            set_response_etag(response)
        page = CachedPage(
            version=version,
            expires_at=expires_at,
            rendered_at=now,
            status=response.status_code,
            content=response.content,
            headers={
                name: value
                for name, value in response.items()
                if name.lower() not in {"set-cookie", "cache-control", "x-page-cache"}
            },
        )
        cache.set(key, page, max(1, int(expires_at - now) + 1))
        add_public_headers(response, page, now)
        response["X-Page-Cache"] = "miss"
        return response
