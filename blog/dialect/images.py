"""Zenn images: ``![alt](url =250x)`` sets the width; an ``*italic*`` line right after an
image becomes its caption, and the pair becomes ``<figure>`` / ``<figcaption>``.

``loading="lazy"`` is set on every image by the sanitizer, which owns the final attributes.
"""

import re

from markdown_it.token import Token

_SIZED = re.compile(r"!\[([^\]\n]*)\]\(([^\s()<>]+)\s+=(\d{1,4})?x(\d{1,4})?\)")


def _sized_image(state, silent: bool) -> bool:
    if not state.src.startswith("![", state.pos):
        return False
    match = _SIZED.match(state.src, state.pos)
    if not match or not (match.group(3) or match.group(4)):
        return False
    href = state.md.normalizeLink(match.group(2))
    if not state.md.validateLink(href):
        return False
    if not silent:
        alt = match.group(1)
        token = state.push("image", "img", 0)
        token.attrs = {"src": href, "alt": ""}
        children: list[Token] = []
        state.md.inline.parse(alt, state.md, state.env, children)
        token.children = children
        token.content = alt
        if match.group(3):
            token.attrs["width"] = match.group(3)
        if match.group(4):
            token.attrs["height"] = match.group(4)
    state.pos = match.end()
    return True


def _figures(state) -> None:
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        opening, inline, closing = tokens[i], tokens[i + 1], tokens[i + 2]
        if opening.type != "paragraph_open" or inline.type != "inline" or closing.type != "paragraph_close":
            continue
        kids = inline.children or []
        # image, softbreak, em_open, …, em_close — and nothing else on the caption line.
        if (
            len(kids) >= 5
            and kids[0].type == "image"
            and kids[1].type == "softbreak"
            and kids[2].type == "em_open"
            and kids[-1].type == "em_close"
            and not any(k.type == "em_close" for k in kids[3:-1])
        ):
            opening.tag = closing.tag = "figure"
            opening.attrs = {"class": "figure"}
            caption_open = Token("figcaption_open", "figcaption", 1)
            caption_close = Token("figcaption_close", "figcaption", -1)
            inline.children = [kids[0], caption_open, *kids[3:-1], caption_close]


def images_plugin(md) -> None:
    md.inline.ruler.before("image", "sized_image", _sized_image)
    md.core.ruler.push("figures", _figures)
