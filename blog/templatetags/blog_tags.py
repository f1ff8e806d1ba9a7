import functools
import html
import json
import re
import unicodedata

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import pictures, share_images, stored_html, text
from ..feeds import TEAM_BYLINE

register = template.Library()

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """An absolute URL for canonical links and share tags (``DJANGO_SITE_URL`` when set)."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


class _FoldTable(dict):
    """``str.translate`` table folding each character as ``text.normalize`` does, filled on demand."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = text.normalize(chr(code))
        if len(folded) != 1:
            _SEVERAL.add(chr(code))
        return folded


_FOLD = _FoldTable()
_SEVERAL: set[str] = set()  # characters seen so far that fold into zero or several (「…」 → "...")


def _normalized_with_map(value: str):
    """The folded text and, for each of its characters, the position it came from in ``value``."""
    # A search page folds ~70,000 characters of snippets: translate in C, and map positions
    # one character at a time only around the few characters that fold into several.
    if unicodedata.is_normalized("NFKC", value):  # most text: only case can fold, in C
        folded = value.casefold()
        if len(folded) == len(value):
            return folded, range(len(value))
    folded = value.translate(_FOLD)  # fills _FOLD (and _SEVERAL) for every character of value
    if _SEVERAL.isdisjoint(value):
        return folded, range(len(value))
    index, done = [], 0
    for match in _several_pattern(frozenset(_SEVERAL)).finditer(value):
        index.extend(range(done, match.start()))
        index.extend([match.start()] * len(_FOLD[ord(match.group())]))
        done = match.end()
    index.extend(range(done, len(value)))
    return folded, index


@functools.lru_cache(maxsize=4)
def _several_pattern(several: frozenset) -> re.Pattern:
    return re.compile("[" + "".join(re.escape(char) for char in sorted(several)) + "]")


def _spans(value: str, terms):
    """Return (start, end) spans of ``value`` that match any term, width- and case-insensitive."""
    folded, index = _normalized_with_map(value)
    spans = []
    for term in terms:
        needle = text.normalize(term)
        if not needle:
            continue
        for match in re.finditer(re.escape(needle), folded):
            spans.append((index[match.start()], index[match.end() - 1] + 1))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


MAX_HITS_PER_SPELLING = 200  # enough to choose a passage; a body full of one word stops here


def _hits(value: str, groups) -> list[tuple[int, int]]:
    """(position in ``value``, group) of each hit of each spelling, sorted.

    Spellings are looked for as typed first; only a term with no hit as typed is looked for in
    the width- and case-folded text (folding a 6,000-character body for each card costs more
    than finding what is written as the query was)."""
    hits, missing = [], []
    for group, spellings in enumerate(groups):
        found = False
        for needle in spellings:
            for count, match in enumerate(re.finditer(re.escape(needle), value)):
                if count == MAX_HITS_PER_SPELLING:
                    break
                hits.append((match.start(), group))
                found = True
        if not found:
            missing.append((group, spellings))
    if missing:
        folded, index = _normalized_with_map(value)
        for group, spellings in missing:
            for needle in spellings:
                for count, match in enumerate(re.finditer(re.escape(needle), folded)):
                    if count == MAX_HITS_PER_SPELLING:
                        break
                    hits.append((index[match.start()], group))
    return sorted(set(hits))


def best_passage(hits: list[tuple[int, int]], span: int) -> int | None:
    """Where the passage of ``span`` characters with the most terms (then hits) starts: at a hit."""
    best, best_key, last = None, None, 0
    for first in range(len(hits)):
        last = max(last, first)
        while last + 1 < len(hits) and hits[last + 1][0] < hits[first][0] + span:
            last += 1
        window = hits[first : last + 1]
        key = (len({group for _, group in window}), len(window))
        if best_key is None or key > best_key:
            best, best_key = hits[first][0], key
    return best


@register.simple_tag
def highlight(value, terms):
    """Escape ``value`` and wrap each search term in ``<mark>``."""
    value = value or ""
    out, last = [], 0
    for start, end in _spans(value, terms or []):
        out += [html.escape(value[last:start]), "<mark>", html.escape(value[start:end]), "</mark>"]
        last = end
    out.append(html.escape(value[last:]))
    return mark_safe("".join(out))


def _collapse(value: str) -> str:
    return " ".join(value.split())


@register.simple_tag
def snippet(value, terms, groups=None, width=120):
    """The passage of ``value`` with the most of the query's terms, whitespace collapsed, every
    term in it highlighted.

    ``groups`` are the query's terms, each a list of its spellings (``terms`` alone: each
    spelling its own term). Only the neighbourhood of the passage is tidied: doing so for a
    whole 6,000-character body, twelve times a page, cost more than the search itself.
    """
    value, terms = value or "", terms or []
    spellings = [[needle for s in group if (needle := text.normalize(s))] for group in (groups or [[t] for t in terms])]
    lead = width // 3  # the passage starts this far into the snippet, after some context
    first = best_passage(_hits(value, spellings), width - lead)
    if first is None:  # the hit is in the title or excerpt: the body's opening
        opening = _collapse(value[: width * 3])
        return highlight(text.truncate_sentences(opening[: width + 2], width), terms)
    low, high = max(0, first - width), first + 2 * width
    before = _collapse(value[low:first]) + (" " if first > low and value[first - 1].isspace() else "")
    region = _collapse(value[low:high])
    start = max(0, len(before.lstrip()) - lead)
    end = min(len(region), start + width)
    more_before = start > 0 or bool(value[:low].strip())
    more_after = end < len(region) or bool(value[high:].strip())
    # the ellipses go around the highlighted part: 「…」 folds into three characters
    return mark_safe(("…" if more_before else "") + highlight(region[start:end], terms) + ("…" if more_after else ""))


@register.simple_tag
def share_image_path(article):
    """The article's generated share image (blog/share_images.py), as a path."""
    return share_images.share_image_path(article)


def _absolute(context, url: str) -> str:
    return url if url.startswith(("https://", "http://")) else absolute_url(context, url)


@register.simple_tag(takes_context=True)
def share_image(context, article) -> dict:
    """What ``og:image``, ``twitter:image`` and JSON-LD show: the cover's share crop (JPEG) when
    the article has a cover, else the generated share image; ``{url, width, height, type, alt}``."""
    cover = pictures.share_rendition(article.cover) if article.cover_id else None
    if cover:
        return {**cover, "url": _absolute(context, cover["url"]), "type": "image/jpeg", "alt": article.cover.alt}
    return {
        "url": absolute_url(context, share_images.share_image_path(article)),
        "width": share_images.WIDTH, "height": share_images.HEIGHT, "type": "image/png", "alt": article.title,
    }  # fmt: skip


@register.simple_tag
def stored(article, field, loading="lazy"):
    """An article's stored HTML (``blog.stored_html``: ``card_html``, ``card_details_html`` or
    ``header_html``), a card's cover loading as ``loading`` says. An article stored before this
    HTML existed (until ``manage.py rerender_articles`` runs) has it rendered here instead."""
    return stored_html.stored(article, field, loading)


@register.simple_tag
def picture(picture, crop, sizes, loading="lazy", css_class=""):
    """A picture's responsive ``<picture>`` (blog.pictures.picture_html); nothing without one."""
    return pictures.picture_html(picture, crop, sizes=sizes, loading=loading, css_class=css_class)


@register.simple_tag(takes_context=True)
def author_jsonld(context, author):
    """schema.org ``Person`` (``Organization`` for a team byline) for an author page."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization" if author.is_team else "Person",
        "name": author.name,
        "url": absolute_url(context, author.get_absolute_url()),
    }
    if author.role and not author.is_team:
        data["jobTitle"] = author.role
    if author.bio:
        data["description"] = author.bio
    photo = author.photo.largest("square", pictures.FALLBACK, at_most=400) if author.photo_id else None
    if photo:
        data["image" if not author.is_team else "logo"] = {
            "@type": "ImageObject", "url": _absolute(context, pictures.default_storage.url(photo[2])),
            "width": photo[0], "height": photo[1],
        }  # fmt: skip
    if author.links:
        data["sameAs"] = [url for _label, url in author.links]
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


LOGO, LOGO_SIZE = "img/logo.png", 512  # drawn by blog/brand.py


def _datetime(moment) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def publisher_jsonld(context) -> dict:
    """The site as schema.org ``Organization`` with its raster logo (Google wants one, ≥ 112 px)."""
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": absolute_url(context, reverse("blog:article-list")),
        "logo": {"@type": "ImageObject", "url": absolute_url(context, static(LOGO)), "width": LOGO_SIZE, "height": LOGO_SIZE},
    }


def article_images(context, article) -> list[dict]:
    """The article's images for JSON-LD, one ``ImageObject`` per aspect ratio there is (Google
    picks among 16:9, 4:3 and 1:1): with a cover, its share crop (1.91:1, as ``og:image``), then
    its 16:9, 4:3 and 1:1 crops (JPEG, at most 1200 wide) where they have been made; without one,
    or before its renditions exist, the generated share image."""
    share = pictures.share_rendition(article.cover) if article.cover_id else None
    if share:
        shown = [share]
        for crop in ("card", "standard", "square"):
            found = article.cover.largest(crop, pictures.FALLBACK, at_most=1200)
            if found:
                shown.append({"url": pictures.default_storage.url(found[2]), "width": found[0], "height": found[1]})
        return [
            {"@type": "ImageObject", "url": _absolute(context, image["url"]), "width": image["width"], "height": image["height"]}
            for image in shown
        ]
    return [
        {
            "@type": "ImageObject",
            "url": absolute_url(context, share_images.share_image_path(article)),
            "width": share_images.WIDTH,
            "height": share_images.HEIGHT,
        }
    ]


@register.simple_tag(takes_context=True)
def article_jsonld(context, article):
    """schema.org ``NewsArticle`` data for an article page (what Google News and Top stories
    read), safe inside ``<script>``."""
    url = absolute_url(context, article.get_absolute_url())
    published = article.published_at
    # A scheduled article is saved before it goes out: never modified before it was published.
    modified = max(article.updated_at, published) if published and article.updated_at else article.updated_at
    authors = [
        {"@type": "Organization" if a.is_team else "Person", "name": a.name,
         "url": absolute_url(context, a.get_absolute_url())}
        for a in article.authors.all()
    ]  # fmt: skip
    publisher = publisher_jsonld(context)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": _datetime(published),
        "dateModified": _datetime(modified),
        "author": authors or [{"@type": "Organization", "name": TEAM_BYLINE, "url": publisher["url"]}],
        "publisher": publisher,
        "image": article_images(context, article),
        "inLanguage": "ja",
        "keywords": [tag.name for tag in article.tags.all()],
    }
    if article.category:
        data["articleSection"] = article.category.name
    data = {key: value for key, value in data.items() if value is not None}
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag
def tag_cloud(entries):
    """The tag index's list (``blog.indexes.Entry`` rows; their URLs come from ``reverse()``,
    already quoted): built here, not in a template loop, because the index shows every tag of
    the site at once."""
    items = format_html_join(
        "", '<li><a href="{}">#{} <span class="tag-index__count">{}件</span></a></li>',
        ((entry.url, entry.name, entry.count) for entry in entries),
    )  # fmt: skip
    return format_html('<ul class="tag-index">{}</ul>', items)
