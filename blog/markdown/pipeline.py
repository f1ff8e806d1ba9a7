"""Markdown → sanitized HTML: the one pipeline for bodies, excerpts, previews, imports and feeds.

Steps, in order (``render``)::

    source
      → PRE_PARSE        text → text         (kramdown clean-up: kramdown.clean)
      → markdown-it      CommonMark + PLUGINS, in list order (GFM, heading anchors, dialect)
      → sanitize         nh3 allow-list (sanitize.py) — nothing skips it
      → POST_SANITIZE    html → html         (task-list checkboxes, dialect steps)
      → Rendered(html, toc_html, text, features)

Contract for dialect extensions (``blog/markdown/dialect.py``; no other module needs editing):

``PLUGINS``
    ``list[Callable[[MarkdownIt], None]]``, each applied with ``md.use(plugin)`` in list order
    after the CommonMark/GFM core (``gfm.gfm_plugin``, ``toc.toc_plugin``), so a plugin may
    replace a core render rule (``md.add_render_rule("fence", ...)``; the default Pygments one
    is ``highlight.render_fence``, reusable through ``highlight.highlight_code(code, lang)``).
    The dialect module appends to ``dialect.PLUGINS``; this module reads it when it builds the
    parser, once per process (``reset()`` rebuilds it, for tests).
``sanitize.allow(tags=..., attributes={tag: {...}}, url_schemes=..., style_properties=...,
attribute_values={tag: {attr: value}})``
    widens the allow-list for markup a plugin emits. Call it at import time of the dialect
    module. Prefer emitting harmless markup that survives the sanitizer and finishing it in a
    post-sanitize step over widening the list for things raw HTML could then also use.
``POST_SANITIZE``
    ``list[Callable[[str, dict], str]]``: ``step(html, env) -> html``, run in list order on the
    sanitized body; ``env`` is the markdown-it env of this render. A step must only add markup
    it builds itself from values it escapes (as ``gfm.task_checkboxes`` does); the dialect
    module appends to ``dialect.POST_SANITIZE``, which runs after the core steps.
``env``
    one dict per render, shared by the rules and the steps. Keys the core uses: ``anchors``
    (False: no heading ids, for excerpts), ``toc`` (list of ``(level, id, text)``),
    ``heading_ids`` (ids in use: a plugin creating ids adds to it), ``features`` (a set:
    a plugin adds e.g. ``"mermaid"`` or ``"math"`` so the page can load what it needs; it ends
    up in ``Rendered.features``).
``PRE_PARSE``
    ``list[Callable[[str], str]]``: source → source, before parsing. Keep it short: anything that
    can be a markdown-it rule should be one.

Rendering is done on save (``Article.save``), never per request. Each thread builds its MarkdownIt
instance once (linkify-it is not thread-safe); rules keep per-render state in ``env`` only.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from .. import images
from . import dialect, gfm, highlight, kramdown, toc
from ..text import strip_controls
from .sanitize import sanitize
from .text import html_to_text


def _kramdown(source: str) -> str:
    return kramdown.clean(source)[0]


PRE_PARSE: list[Callable[[str], str]] = [_kramdown]
CORE_PLUGINS: list[Callable[[MarkdownIt], None]] = [gfm.gfm_plugin, toc.toc_plugin]
def _image_dimensions(html: str, env: dict) -> str:
    # Uploaded images carry their stored size in their name (blog.images): no layout shift.
    return images.add_dimensions(html)


CORE_POST_SANITIZE: list[Callable[[str, dict], str]] = [gfm.task_checkboxes, _image_dimensions]

# One parser per thread: linkify-it keeps the state of its last match on the instance.
_local = threading.local()
_generation = 0


_ENCODED_NON_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def _readable(match: re.Match) -> str:
    try:
        decoded = bytes.fromhex(match.group(0).replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)
    if any(unicodedata.category(c)[0] in "CZ" for c in decoded):
        return match.group(0)
    return decoded


def _keep_link(url: str) -> bool:
    # Every link is parsed as a link; which schemes reach the page is the sanitizer's decision
    # (its URL allow-list), so a ``javascript:`` link becomes inert text, not visible source.
    return True


def render_image(self, tokens, idx, options, env):
    """``<img alt src title>``: alt first, as the site has always written it."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    attrs = {"alt": alt, **{k: v for k, v in token.attrs.items() if k != "alt"}}
    token.attrs = attrs
    return "<img" + self.renderAttrs(token) + ">"


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str
    text: str
    features: frozenset[str] = field(default_factory=frozenset)


def build() -> MarkdownIt:
    """A fresh parser: CommonMark, raw HTML allowed (the sanitizer decides), then the plugins."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": False})
    # Japanese paths stay readable in the HTML (an IRI): only ASCII stays percent-encoded.
    normalize_link = md.normalizeLink
    md.normalizeLink = lambda url: _ENCODED_NON_ASCII.sub(_readable, normalize_link(url))
    md.validateLink = _keep_link
    md.add_render_rule("image", render_image)
    md.add_render_rule("fence", highlight.render_fence)
    md.add_render_rule("code_block", highlight.render_code_block)
    for plugin in [*CORE_PLUGINS, *dialect.PLUGINS]:
        md.use(plugin)
    return md


def parser() -> MarkdownIt:
    """This thread's parser, built on first use (and again after ``reset()``)."""
    if getattr(_local, "generation", None) != _generation:
        _local.md = build()
        _local.generation = _generation
    return _local.md


def reset() -> None:
    """Forget the parsers, so the next render builds one again with the current plugins."""
    global _generation
    _generation += 1


def render(source: str, *, anchors: bool = True) -> Rendered:
    """Render Markdown to sanitized HTML, a sanitized table of contents, plain text and features."""
    # Control characters go before anything parses the text: left in, ``java\x01script:`` is no
    # scheme to the sanitizer but becomes one to whatever strips them later (a feed writer).
    source = strip_controls(source)
    for step in PRE_PARSE:
        source = step(source)
    env: dict = {"anchors": anchors, "features": set()}
    body = sanitize(parser().render(source, env)).strip()
    for post in [*CORE_POST_SANITIZE, *dialect.POST_SANITIZE]:
        body = post(body, env)
    toc_html = sanitize(toc.toc_html(env.get("toc", []))) if anchors else ""
    return Rendered(html=body, toc_html=toc_html, text=html_to_text(body), features=frozenset(env["features"]))
