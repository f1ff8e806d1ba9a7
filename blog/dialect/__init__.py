"""The Zenn/Qiita dialect as markdown-it-py plugins, on top of the CommonMark/GFM core.

``use_dialect(md)`` installs every construct writers bring from Zenn and Qiita: code fences
with a file label (```` ```python:main.py ````) or diff colouring (```` ```diff python ````),
mermaid fences, ``:::message`` / ``:::note`` / ``:::details`` containers, sized images and
figure captions, server-side math (MathML) and embeds for a bare URL alone on a line.

The plugins only build HTML; the pipeline still passes it through nh3 afterwards. What the
dialect needs on top of the base allow-list is in ``ALLOWED_TAGS`` / ``ALLOWED_ATTRIBUTES``
here, registered with the sanitizer by ``blog.markdown.dialect``. Nothing here does network I/O: link-card data is
looked up in the mapping ``embeds.provided_link_cards`` holds, fetched earlier (at save time).
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
    """Install every dialect plugin on ``md``.

    ``link_cards`` (URL → card data) fixes the cards for this parser; without it each render
    reads the cards ``embeds.provided_link_cards`` holds for the current save.
    """
    md.use(fences_plugin)
    md.use(containers_plugin)
    md.use(images_plugin)
    md.use(math_plugin)
    md.use(embeds_plugin, link_cards=link_cards)
    return md
