"""The nh3 allow-list: the one gate between rendered Markdown and a reader's browser.

Dialect plugins that emit new markup widen the list explicitly with ``allow()`` when they are
set up; nothing else changes it. The options are rebuilt lazily after each change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import nh3

from ..text import strip_controls

ALLOWED_TAGS: set[str] = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "title", "lang"},
    "a": {"href", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "img": {"src", "alt", "width", "height"},
    "li": {"class"},
    "ol": {"start", "class"},
    "ul": {"class"},
    "pre": {"class"},
    "section": {"class"},
    "span": {"class"},
    "sup": {"class"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
}
# ftp: old release posts link their downloads that way (and GFM autolinks it).
URL_SCHEMES: set[str] = {"http", "https", "mailto", "ftp"}
# Removed together with their content, not just unwrapped.
CLEAN_CONTENT_TAGS: set[str] = {"script", "style", "template", "textarea", "title", "noscript", "xmp"}
STYLE_PROPERTIES: set[str] = {"text-align"}
# Set on every element of that tag whatever the source said. Wide code and tables scroll
# sideways inside the text column; tabindex lets keyboard readers scroll them too (WCAG 2.1.1).
FORCED_ATTRIBUTE_VALUES: dict[str, dict[str, str]] = {
    "img": {"loading": "lazy", "decoding": "async"},
    "pre": {"tabindex": "0"},
    "table": {"tabindex": "0"},
}

_options: dict | None = None


def allow(
    *,
    tags: Iterable[str] = (),
    attributes: Mapping[str, Iterable[str]] | None = None,
    url_schemes: Iterable[str] = (),
    style_properties: Iterable[str] = (),
    attribute_values: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Widen the allow-list for markup a dialect plugin emits (call once, at import time)."""
    global _options
    ALLOWED_TAGS.update(tags)
    for tag, names in (attributes or {}).items():
        ALLOWED_ATTRIBUTES.setdefault(tag, set()).update(names)
    URL_SCHEMES.update(url_schemes)
    STYLE_PROPERTIES.update(style_properties)
    for tag, values in (attribute_values or {}).items():
        FORCED_ATTRIBUTE_VALUES.setdefault(tag, {}).update(values)
    _options = None


def _cleaner_options() -> dict:
    global _options
    if _options is None:
        _options = dict(
            tags=set(ALLOWED_TAGS),
            clean_content_tags=CLEAN_CONTENT_TAGS - ALLOWED_TAGS,
            attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
            url_schemes=set(URL_SCHEMES),
            link_rel="noopener noreferrer",
            strip_comments=True,
            filter_style_properties=set(STYLE_PROPERTIES),
            set_tag_attribute_values={tag: dict(v) for tag, v in FORCED_ATTRIBUTE_VALUES.items()},
        )
    return _options


def sanitize(untrusted_html: str, *, base_url: str | None = None) -> str:
    """Keep only allow-listed tags, attributes and URL schemes (http, https, mailto, ftp).

    Control characters go first, for the same reason as in ``pipeline.render``: nothing may turn
    a neutralised URL back into a live one after this. With ``base_url`` (an absolute URL),
    relative links and image sources are resolved against it in the same pass, for HTML read
    away from the page (a JSON feed has no base to resolve ``/media/…`` or ``#fn1`` against).
    """
    options = _cleaner_options()
    if base_url:
        options = {**options, "url_relative": ("rewrite_with_base", base_url)}
    return nh3.clean(strip_controls(untrusted_html), **options)
