"""The Zenn/Qiita dialect as markdown-it-py plugins, on top of the CommonMark/GFM core.

``use_dialect(md)`` installs every construct writers bring from Zenn and Qiita: code fences
with a file label (```` ```python:main.py ````) or diff colouring (```` ```diff python ````),
mermaid fences, ``:::message`` / ``:::note`` / ``:::details`` containers, sized images and
figure captions, server-side math (MathML) and embeds for a bare URL alone on a line.

The plugins only build HTML; the pipeline still passes it through nh3 afterwards. What the
dialect needs on top of the base allow-list is in ``ALLOWED_TAGS`` / ``ALLOWED_ATTRIBUTES``
here, merged with ``sanitizer_options()``. Nothing here does network I/O: link-card data is
looked up in a mapping the caller fetched earlier (at save time).
"""

from collections.abc import Mapping

from markdown_it import MarkdownIt

from .containers import containers_plugin
from .embeds import embeds_plugin
from .fences import fences_plugin
from .images import images_plugin
from .math import MATHML_ATTRIBUTES, MATHML_TAGS, math_plugin

ALLOWED_TAGS = {"figure", "figcaption", "details", "summary", "div", "span", "img", "a"} | MATHML_TAGS
ALLOWED_ATTRIBUTES = {
    "div": {"class", "role", "aria-label"},
    "span": {"class", "aria-hidden"},
    "a": {"href", "class", "aria-label"},
    "img": {"src", "alt", "width", "height", "class"},
    "figure": {"class"},
    "details": {"class"},
    "pre": {"class"},
    "code": {"class"},
    **MATHML_ATTRIBUTES,
}


def use_dialect(md: MarkdownIt, *, link_cards: Mapping[str, Mapping[str, str]] | None = None) -> MarkdownIt:
    """Install every dialect plugin on ``md``; ``link_cards`` maps a URL to fetched card data."""
    md.use(fences_plugin)
    md.use(containers_plugin)
    md.use(images_plugin)
    md.use(math_plugin)
    md.use(embeds_plugin, link_cards=link_cards or {})
    return md


def render(source: str, *, link_cards: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Render ``source`` with CommonMark + GFM tables/strikethrough + the dialect, sanitized."""
    import nh3

    from blog.rendering import _cleaner_options

    md = use_dialect(MarkdownIt("commonmark").enable(["table", "strikethrough"]), link_cards=link_cards)
    return nh3.clean(md.render(source or ""), **sanitizer_options(_cleaner_options))


def sanitizer_options(base: dict) -> dict:
    """``base`` nh3 options extended with what the dialect's HTML needs, element by element."""
    options = dict(base)
    options["tags"] = set(base["tags"]) | ALLOWED_TAGS
    attributes = {tag: set(names) for tag, names in base["attributes"].items()}
    for tag, names in ALLOWED_ATTRIBUTES.items():
        attributes[tag] = attributes.get(tag, set()) | names
    options["attributes"] = attributes
    return options
