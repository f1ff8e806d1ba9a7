import json
import re

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .. import text

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
        return folded


_FOLD = _FoldTable()


def _normalized_with_map(value: str):
    """The folded text and, for each of its characters, the position it came from in ``value``."""
    # A search page folds ~70,000 characters of snippets: translate in C, and skip building
    # the position map when no character folds into several (the usual case).
    folded = value.translate(_FOLD)
    if len(folded) == len(value) and all(len(_FOLD[ord(char)]) == 1 for char in set(value)):
        return folded, range(len(value))
    chars, index = [], []
    for position, char in enumerate(value):
        piece = _FOLD[ord(char)]
        chars.append(piece)
        index.extend([position] * len(piece))
    return "".join(chars), index


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


def _first_hit(value: str, terms) -> int | None:
    """Where a hit of a term starts in ``value`` — the first one typed as in the query if any
    (folding a 6,000-character body to find an earlier variant cost more than the search),
    else the first one width-/case-folded — or None."""
    needles = [needle for term in terms if (needle := text.normalize(term))]
    typed = [position for needle in needles if (position := value.find(needle)) >= 0]
    if typed:
        return min(typed)
    folded, index = _normalized_with_map(value)
    found = [position for needle in needles if (position := folded.find(needle)) >= 0]
    return index[min(found)] if found else None


@register.simple_tag
def highlight(value, terms):
    """Escape ``value`` and wrap each search term in ``<mark>``."""
    value = value or ""
    out, last = [], 0
    for start, end in _spans(value, terms or []):
        out.append(escape(value[last:start]))
        out.append(format_html("<mark>{}</mark>", value[start:end]))
        last = end
    out.append(escape(value[last:]))
    return mark_safe("".join(str(part) for part in out))


@register.simple_tag
def snippet(value, terms, width=120):
    """The part of ``value`` around the first hit, highlighted."""
    value = " ".join((value or "").split())
    first = _first_hit(value, terms or [])
    if first is None:  # the hit is in the title or excerpt: the body's opening (it reads no further)
        return highlight(text.truncate_sentences(value[: width + 2], width), terms)
    start = max(0, first - width // 3)
    end = min(len(value), start + width)
    part = ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")
    return highlight(part, terms)


@register.simple_tag(takes_context=True)
def article_jsonld(context, article):
    """schema.org ``BlogPosting`` data for an article page, safe inside ``<script>``."""
    url = absolute_url(context, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "description": article.description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat() if article.updated_at else None,
        "author": [
            {"@type": "Organization" if a.is_team else "Person", "name": a.name,
             "url": absolute_url(context, a.get_absolute_url())}
            for a in article.authors.all()
        ],  # fmt: skip
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "image": absolute_url(context, static("img/og-default.png")),
        "inLanguage": "ja",
        "keywords": [tag.name for tag in article.tags.all()],
    }
    if article.category:
        data["articleSection"] = article.category.name
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
