"""Kept fragments and values: HTML and data that depend on public content only, kept until a tag
they carry is invalidated (``blog.cache.tags``) or a scheduled article appears.

Templates keep a fragment with one tag, ``{% kept %}`` (``blog/templatetags/kept.py``)::

    {% kept "article-card" card.pk card.loading for card.article %}…{% endkept %}

names the fragment and what varies it, and ``for`` the object(s) it shows: their cache tags
(``tags.shown``) are stored with it. Python code keeps values with ``get_or_set(request, name,
compute, tags)``. Both record the tags of what they hand out on the request, so the page that
shows them carries them too (``Cache-Tag``) and the page cache indexes it under them.

Nothing is kept for staff, previews and share links (``keep_nothing``), without a cache, for a
host that is not the site's, or with ``FRAGMENT_CACHE_SECONDS = 0``: everything is computed.
"""

import hashlib
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import store
from .tags import ARTICLES, shown

NO_NEXT_CHANGE = 0.0
NEXT_CHANGE_KEY = "cache:next-change"


# -- The request ---------------------------------------------------------------------------------


def keep_nothing(request) -> None:
    """Mark ``request`` as private (a staff preview, a share link): nothing it renders is kept."""
    request._keep_nothing = True


def is_private(request) -> bool:
    """Staff, previews and share links, and requests that never reached authentication (an
    error page for a bad Host): what they see is never kept under a public key."""
    user = getattr(request, "user", None)
    return user is None or user.is_authenticated or getattr(request, "_keep_nothing", False)


def keeps_fragments(request) -> bool:
    if request is None or settings.FRAGMENT_CACHE_SECONDS <= 0 or is_private(request):
        return False
    from .middleware import cache_host

    return cache_host(request) is not None


def started(request) -> int:
    """The invalidation generation this request started under (read once; the page cache reads
    it with the page)."""
    if not hasattr(request, "_cache_generation"):
        request._cache_generation = store.generation()
    return request._cache_generation


def record(request, tags) -> None:
    """Note that ``request``'s response shows ``tags`` (and so does every fragment being rendered)."""
    if request is None:
        return
    tags = set(tags)
    request.__dict__.setdefault("_cache_tags", set()).update(tags)
    for open_fragment in request.__dict__.get("_cache_tag_stack", ()):
        open_fragment.update(tags)


def response_tags(request) -> set[str]:
    return set(request.__dict__.get("_cache_tags", ()))


def shows(request, *objects) -> None:
    """A view's word for what its page shows: model rows, articles, or tag names (``tags.listing``)."""
    record(request, shown(*objects))


# -- Time ----------------------------------------------------------------------------------------


def next_visibility_change(request=None) -> float:
    """The epoch time of the next future ``published_at`` (0.0 if none): no kept page or fragment
    outlives it. Kept under ``articles``, which every scheduling change invalidates."""
    from ..models import Article

    found = store.get(NEXT_CHANGE_KEY)
    now = timezone.now()
    if found is not None and (found == NO_NEXT_CHANGE or found > now.timestamp()):
        return found
    generation = started(request) if request is not None else store.generation()
    upcoming = (
        Article.objects.filter(status__in=Article.PUBLIC_STATUSES, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    value = upcoming.timestamp() if upcoming else NO_NEXT_CHANGE
    timeout = max(1, int(value - now.timestamp()) + 1) if upcoming else max(settings.PAGE_CACHE_SECONDS, 1)
    store.keep(NEXT_CHANGE_KEY, value, [ARTICLES], timeout, generation)
    return value


def expiry(request, now: float, seconds: int) -> float:
    """When something kept for ``seconds`` must go: then, or when the next scheduled article appears."""
    next_change = next_visibility_change(request)
    return min(now + seconds, next_change) if next_change else now + seconds


# -- Kept values and fragments -------------------------------------------------------------------


def _key(kind: str, name: str, parts=()) -> str:
    digest = hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"{kind}:{name}:{digest}"


def _fresh(entry, now: float):
    """``(tags, value)`` of a kept ``(expires_at, tags, value)`` entry still valid, else ``None``."""
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] > now:
        return entry[1], entry[2]
    return None


def _store(request, key: str, value, tags, now: float) -> None:
    expires_at = expiry(request, now, settings.FRAGMENT_CACHE_SECONDS)
    if expires_at > now:
        store.keep(key, (expires_at, tuple(sorted(tags)), value), tags, int(expires_at - now) + 1, started(request))


def get_or_set(request, name: str, compute, tags, *, parts=()):
    """``compute()``, kept under ``tags`` (a set, or a function of the value giving one) until one
    of them is invalidated or a scheduled article appears. ``name`` and ``parts`` make the key."""
    if not keeps_fragments(request):
        return compute()
    key = _key("value", name, parts)
    now = timezone.now().timestamp()
    found = _fresh(request.__dict__.get("_kept", {}).get(key) or store.get(key), now)
    if found is not None:
        record(request, found[0])
        return found[1]
    started(request)  # before the database is read
    value = compute()
    value_tags = set(tags(value) if callable(tags) else tags)
    record(request, value_tags)
    _store(request, key, value, value_tags, now)
    return value


def fragment_key(name: str, parts) -> str:
    return _key("fragment", name, parts)


def prefetch(request, wanted) -> set:
    """Read the kept fragments ``wanted`` (``[(name, *parts), …]``) in one ``get_many``, for the
    ``{% kept %}`` tags that follow; returns those found, as given."""
    if not keeps_fragments(request) or not wanted:
        return set()
    keys = {fragment_key(name, parts): (name, *parts) for name, *parts in wanted}
    now = timezone.now().timestamp()
    started(request)
    found = {key: entry for key, entry in store.get_many(keys).items() if _fresh(entry, now)}
    request.__dict__.setdefault("_kept", {}).update(found)
    return {keys[key] for key in found}


def render_kept(request, name: str, parts, render, objects) -> str:
    """The fragment's kept HTML, or ``render()``'s, kept under the tags of ``objects`` and of the
    fragments rendered inside it."""
    if not keeps_fragments(request):
        return render()
    key = fragment_key(name, parts)
    now = timezone.now().timestamp()
    found = _fresh(request.__dict__.get("_kept", {}).get(key) or store.get(key), now)
    if found is not None:
        record(request, found[0])
        return mark_safe(found[1])
    started(request)
    stack = request.__dict__.setdefault("_cache_tag_stack", [])
    inner = set()
    stack.append(inner)
    try:
        html = render()
    finally:
        stack.remove(inner)
    fragment_tags = inner | shown(*objects)
    record(request, fragment_tags)
    _store(request, key, str(html), fragment_tags, now)
    return html


# -- Cards ---------------------------------------------------------------------------------------

CARD = "article-card"  # templates/blog/includes/card.html
CARD_DETAILS = "article-card-details"  # a search card's date, category, byline and tags
ARTICLE_HEADER, ARTICLE_META, SERIES_BOX = "article-header", "article-meta", "series-box"


@dataclass(frozen=True)
class Card:
    """One article card of a list: the article to render it from (``None`` when its HTML is kept)."""

    pk: int
    article: object | None = None
    # How its cover loads (blog.pictures.picture_html): "lazy" below the fold, "eager" or "high"
    # for the first cards of the home page. Part of the kept fragment's key.
    loading: str = "lazy"


def card_loading(position: int, eager: int) -> str:
    if position >= eager:
        return "lazy"
    return "high" if position == 0 else "eager"


def article_cards(request, ids, listing, *, eager: int = 0) -> list[Card]:
    """Cards for the articles ``ids``, in that order; article rows (with authors and tags) are read
    from ``listing`` only for the cards whose HTML is not kept. The queries stay constant."""
    ids = list(ids)
    loading = {pk: card_loading(position, eager) for position, pk in enumerate(ids)}
    kept = {wanted[1] for wanted in prefetch(request, [(CARD, pk, loading[pk]) for pk in ids])}
    missing = [pk for pk in ids if pk not in kept]
    articles = {article.pk: article for article in listing.filter(pk__in=missing).order_by()} if missing else {}
    return [Card(pk, article=articles.get(pk), loading=loading[pk]) for pk in ids if pk in kept or pk in articles]


def page_cards(request, page_queryset, listing, *, eager: int = 0) -> list[Card]:
    """``article_cards`` for a page of ``listing``: one narrow query for the ids, or, when nothing
    can be kept, the page's articles in one go."""
    if not keeps_fragments(request):
        return [Card(a.pk, article=a, loading=card_loading(i, eager)) for i, a in enumerate(page_queryset)]
    ids = page_queryset.prefetch_related(None).select_related(None).values_list("pk", flat=True)
    return article_cards(request, ids, listing, eager=eager)


def search_rows(request):
    """How a search page reads its page of articles (``SearchResults(rows=…)``): a card whose
    details are kept needs only its title, address, text and cover; the others everything."""

    def rows(listing, ids):
        kept = {wanted[1] for wanted in prefetch(request, [(CARD_DETAILS, pk) for pk in ids])}
        light = [pk for pk in ids if pk in kept]
        full = [pk for pk in ids if pk not in kept]
        found = {}
        if light:
            page = listing.filter(pk__in=light).select_related(None).prefetch_related(None).select_related("cover")
            found.update((a.pk, a) for a in page.only("title", "slug", "body_text", "cover").order_by())
        if full:
            found.update((a.pk, a) for a in listing.filter(pk__in=full).order_by())
        return found

    return rows


def article_parts(request, article, *, in_series: bool = False) -> None:
    """Prefetch an article page's kept header and meta tags (and series box); the authors and tags
    are read only when the header or the meta tags must be rendered."""
    wanted = [(ARTICLE_HEADER, article.pk), (ARTICLE_META, article.pk, request.scheme, request.get_host())]
    if in_series:
        wanted.append((SERIES_BOX, article.pk))
    kept = {name for name, *_ in prefetch(request, wanted)}
    if ARTICLE_HEADER not in kept or ARTICLE_META not in kept:
        prefetch_related_objects([article], "authors", "tags")


def remembered(request, prefix: str, tags):
    """A ``(name, compute)`` memo for code that must not know about caches (``blog.search``):
    values kept under ``tags``, keyed by ``prefix`` and ``name``."""

    def memo(name: str, compute):
        return get_or_set(request, f"{prefix}:{name}", compute, tags)

    return memo


SEEN_KEY = "cache:seen-searches"
REPEATED_SEARCHES_KEPT = 500


def seen_before(request, token: str) -> bool:
    """Whether ``token`` (a search) was asked for before since the last content change; records it.

    At most ``REPEATED_SEARCHES_KEPT`` tokens in one entry (kept under ``search``): past that
    budget new tokens are never "seen", so what depends on them is answered but not kept.
    ``False`` for requests that keep nothing.
    """
    if request is None or is_private(request):
        return False
    memo = request.__dict__.setdefault("_seen_tokens", {})
    if token not in memo:
        seen = store.get(SEEN_KEY)
        seen = seen if isinstance(seen, frozenset) else frozenset()
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        memo[token] = digest in seen
        if not memo[token] and len(seen) < REPEATED_SEARCHES_KEPT:
            timeout = max(settings.PAGE_CACHE_SECONDS, settings.FRAGMENT_CACHE_SECONDS, 1)
            store.keep(SEEN_KEY, seen | {digest}, ["search"], timeout, started(request))
    return memo[token]


# -- {% kept %} ----------------------------------------------------------------------------------

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, name, parts, objects, nodelist):
        self.name, self.parts, self.objects, self.nodelist = name, parts, objects, nodelist

    def render(self, context):
        request = context.get("request")
        name = self.name.resolve(context)
        parts = [part.resolve(context) for part in self.parts]
        return render_kept(
            request,
            name,
            parts,
            lambda: self.nodelist.render(context),
            [obj.resolve(context) for obj in self.objects],
        )


@register.tag
def kept(parser, token):
    """``{% kept "name" part… for object… %}…{% endkept %}``: the HTML inside, kept per name and
    parts under the cache tags of the objects (and of kept fragments inside it)."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% kept %} needs a fragment name")
    if "for" in bits:
        at = bits.index("for")
        bits, objects = bits[:at], bits[at + 1 :]
    else:
        objects = []
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(
        parser.compile_filter(bits[0]),
        [parser.compile_filter(bit) for bit in bits[1:]],
        [parser.compile_filter(obj) for obj in objects],
        nodelist,
    )


def get_or_set_repeated(request, token: str, compute, tags):
    """``get_or_set``, for values asked for by readers' own words (a search, a suggestion):
    kept only once asked for twice, so one-off queries do not fill the cache."""
    if not seen_before(request, token):
        return compute()
    return get_or_set(request, token, compute, tags)


def search_memo(request):
    """The memo of a search page (``SearchResults(memo=…)``): counts, ids and rankings of a search
    asked for twice, kept until a public article (or an alias) changes."""

    def memo(identity: str, name: str, compute):
        if not seen_before(request, f"search:{identity}"):  # one-off queries are not kept
            return compute()
        return get_or_set(request, f"search:{name}", compute, {"search", "aliases"}, parts=[identity])

    return memo
