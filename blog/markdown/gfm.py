"""GitHub Flavored Markdown on top of CommonMark: what markdown-it-py lacks or does differently.

* Autolinks: linkify-it finds bare URLs; GFM links only ``http(s)://``, ``www.`` and e-mail
  addresses, never a bare ``example.com``, and a URL ends where Japanese text begins
  (``https://example.com/です`` → the link is ``https://example.com/``).
* Task lists: markdown-it-py marks the items; the checkbox is written after sanitizing (the
  allow-list has no ``<input>``), always disabled.
* Footnotes (mdit-py-plugins), rendered as the site has always shown them.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# Kana, CJK ideographs, CJK symbols and punctuation, full-width forms.
JAPANESE = re.compile(
    "[\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)
_GFM_PREFIX = re.compile(r"(?i)(?:https?://|www\.|mailto:)")
_HOST_AFTER_PREFIX = re.compile(r"(?i)(?:https?://|www\.)[^/?#]*\.[^/?#.]")


def _autolink_text(children: list[Token], start: int) -> tuple[int, str] | None:
    """(index of link_close, link text) for a linkify link starting at ``children[start]``."""
    for end in range(start + 1, len(children)):
        if children[end].type == "link_close":
            return end, "".join(c.content for c in children[start + 1 : end] if c.type == "text")
    return None


def gfm_autolinks(state: StateCore) -> None:
    """Core rule after ``linkify``: keep GFM's autolinks only, ended before Japanese text."""
    md = state.md
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        index = 0
        while index < len(children):
            token = children[index]
            if token.type != "link_open" or token.markup != "linkify":
                index += 1
                continue
            found = _autolink_text(children, index)
            if found is None:
                index += 1
                continue
            end, text = found
            is_email = token.info == "auto" and "@" in text and "://" not in text and not text.lower().startswith("www.")
            if not (_GFM_PREFIX.match(text) or is_email):
                children[index : end + 1] = [_text(text, token)]
                continue
            japanese = JAPANESE.search(text)
            rest = ""
            if japanese:
                text, rest = text[: japanese.start()], text[japanese.start() :]
                if not (_HOST_AFTER_PREFIX.match(text) or (is_email and "." in text.split("@")[-1])):
                    children[index : end + 1] = [_text(text + rest, token)]
                    continue
                href = text
                if is_email and not href.lower().startswith("mailto:"):
                    href = "mailto:" + href
                elif href.lower().startswith("www."):
                    href = "http://" + href
                href = md.normalizeLink(href)
                if not md.validateLink(href):
                    children[index : end + 1] = [_text(text + rest, token)]
                    continue
                token.attrSet("href", href)
            replacement = [token, _text(text, token), children[end]]
            if rest:
                replacement.append(_text(rest, token))
            children[index : end + 1] = replacement
            index += len(replacement)


def _text(content: str, like: Token) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = like.level
    return token


# --- Task lists -------------------------------------------------------------------------------

# What the renderer writes for a task item, and what survives the sanitizer unchanged; the
# post-sanitize step turns exactly these into disabled checkboxes.
TASK_MARKER = '<span class="task-list-item-checkbox{checked}"></span>'
_TASK_MARKER_RE = re.compile(r'<span class="task-list-item-checkbox( task-done)?"></span>')


def render_list_item_open(self, tokens, idx, options, env):
    token = tokens[idx]
    result = self.renderToken(tokens, idx, options, env)
    if token.meta and "checked" in token.meta:
        result += TASK_MARKER.format(checked=" task-done" if token.meta["checked"] else "") + " "
    return result


def _checkbox(match: re.Match) -> str:
    if match.group(1):
        return '<input type="checkbox" class="task-list-item-checkbox" disabled checked aria-label="完了">'
    return '<input type="checkbox" class="task-list-item-checkbox" disabled aria-label="未完了">'


def task_checkboxes(html: str, env: dict) -> str:
    """Post-sanitize step: the task markers become disabled checkboxes."""
    return _TASK_MARKER_RE.sub(_checkbox, html) if "task-list-item-checkbox" in html else html


# --- Footnotes --------------------------------------------------------------------------------


def _footnote_number(token: Token) -> str:
    return str(token.meta["id"] + 1)


def _sub(token: Token) -> str:
    sub = token.meta.get("subId", -1)
    return f"-{sub}" if sub and sub > 0 else ""


def render_footnote_ref(self, tokens, idx, options, env):
    token = tokens[idx]
    n = _footnote_number(token)
    return f'<sup id="fnref:{n}{_sub(token)}"><a class="footnote-ref" href="#fn:{n}">{n}</a></sup>'


def render_footnote_block_open(self, tokens, idx, options, env):
    return '<div class="footnote">\n<hr>\n<ol>\n'


def render_footnote_block_close(self, tokens, idx, options, env):
    return "</ol>\n</div>\n"


def render_footnote_open(self, tokens, idx, options, env):
    return f'<li id="fn:{_footnote_number(tokens[idx])}">'


def render_footnote_anchor(self, tokens, idx, options, env):
    token = tokens[idx]
    n = _footnote_number(token)
    return f' <a class="footnote-backref" href="#fnref:{n}{_sub(token)}" title="本文の脚注 {n} に戻る">↩</a>'


def gfm_plugin(md: MarkdownIt) -> None:
    md.enable(["table", "strikethrough", "linkify"])
    md.linkify.set({"fuzzy_link": True, "fuzzy_email": True})
    md.options["tasklists"] = True
    md.options["tasklists_editable"] = False
    md.core.ruler.after("linkify", "gfm_autolinks", gfm_autolinks)
    md.add_render_rule("list_item_open", render_list_item_open)
    md.use(footnote_plugin, inline=False)
    md.add_render_rule("footnote_ref", render_footnote_ref)
    md.add_render_rule("footnote_block_open", render_footnote_block_open)
    md.add_render_rule("footnote_block_close", render_footnote_block_close)
    md.add_render_rule("footnote_open", render_footnote_open)
    md.add_render_rule("footnote_anchor", render_footnote_anchor)
