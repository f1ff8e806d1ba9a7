"""Heading anchors with readable Japanese ids, permalinks, and the table of contents.

Ids follow the old site's rule (Python-Markdown's ``slugify_unicode``): ``## 性能向上の背景``
→ ``id="性能向上の背景"``, the second heading of that name ``性能向上の背景_1``. A heading may
name its own id the kramdown way, ``## 見出し {#id}``; the id is reduced to slug characters.
"""

from __future__ import annotations

import html
import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

TOC_LEVELS = range(2, 5)  # h2–h4 go into the table of contents
PERMALINK_TITLE = "この見出しへのリンク"
FALLBACK_ID = "見出し"
_NON_WORD = re.compile(r"[^\w\s-]")
_SEPARATORS = re.compile(r"[-\s]+")
_COUNTED = re.compile(r"^(.*)_([0-9]+)$")
# Trailing ``{#id}``, ``{: #id .class}`` or ``{:#id}`` on a heading line (kramdown, attr_list).
_HEADING_ATTRS = re.compile(r"\s*\{:?\s*([^{}]*)\}\s*$")
_ID_IN_ATTRS = re.compile(r"(?:^|\s)#([^\s#.{}\"'<>=]+)")


def slugify(value: str) -> str:
    value = _NON_WORD.sub("", unicodedata.normalize("NFC", value)).strip().lower()
    return _SEPARATORS.sub("-", value)


def unique_id(candidate: str, used: set[str]) -> str:
    candidate = candidate or FALLBACK_ID
    while candidate in used:
        counted = _COUNTED.match(candidate)
        candidate = f"{counted.group(1)}_{int(counted.group(2)) + 1}" if counted else f"{candidate}_1"
    used.add(candidate)
    return candidate


def inline_text(token) -> str:
    """Plain text of an inline token (what the reader sees), for ids and the TOC."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append("".join(c.content for c in child.children or []))
    return "".join(parts).strip()


def _strip_heading_attrs(inline) -> str | None:
    """Remove a trailing attribute list from the heading and return the id it names, if any."""
    children = inline.children or []
    if not children or children[-1].type != "text":
        return None
    match = _HEADING_ATTRS.search(children[-1].content)
    if not match:
        return None
    children[-1].content = children[-1].content[: match.start()]
    inline.content = _HEADING_ATTRS.sub("", inline.content)
    named = _ID_IN_ATTRS.search(match.group(1))
    return slugify(named.group(1)) if named else None


def heading_anchors(state: StateCore) -> None:
    """Core rule: give every heading an id and collect the TOC entries in ``env["toc"]``."""
    if state.env.get("anchors") is False:
        return
    used: set[str] = state.env.setdefault("heading_ids", set())
    entries: list[tuple[int, str, str]] = state.env.setdefault("toc", [])
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        named = _strip_heading_attrs(inline)
        title = inline_text(inline)
        anchor = unique_id(named or slugify(title), used)
        token.attrSet("id", anchor)
        token.meta = {**(token.meta or {}), "anchor": anchor}
        level = int(token.tag[1])
        if level in TOC_LEVELS and title:
            entries.append((level, anchor, title))


def render_heading_close(self, tokens, idx, options, env):
    open_token = tokens[idx - 2] if idx >= 2 else None
    anchor = (open_token.meta or {}).get("anchor") if open_token is not None else None
    link = ""
    if anchor:
        href = html.escape("#" + anchor, quote=True)
        link = f'<a class="headerlink" href="{href}" title="{PERMALINK_TITLE}">#</a>'
    return f"{link}</{tokens[idx].tag}>\n"


def toc_html(entries: list[tuple[int, str, str]]) -> str:
    """Nested ``<ol>`` of links to the headings, each one inside the last shallower heading."""
    root: list[dict] = []
    stack: list[tuple[int, dict]] = []
    for level, anchor, title in entries:
        node = {"anchor": anchor, "title": title, "children": []}
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1]["children"] if stack else root).append(node)
        stack.append((level, node))
    return _toc_list(root)


def _toc_list(nodes: list[dict]) -> str:
    if not nodes:
        return ""
    items = "".join(
        f'<li><a href="{html.escape("#" + n["anchor"], quote=True)}">{html.escape(n["title"])}</a>'
        f'{_toc_list(n["children"])}</li>'
        for n in nodes
    )
    return f"<ol>{items}</ol>"


def toc_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("heading_anchors", heading_anchors)
    md.add_render_rule("heading_close", render_heading_close)
