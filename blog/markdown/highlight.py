"""Fenced and indented code, highlighted on the server by Pygments.

The markup is Pygments' ``HtmlFormatter`` with the ``highlight`` CSS class, as
``static/css/highlight.css`` expects: ``<div class="highlight"><pre><span></span><code>``.
"""

from __future__ import annotations

import html
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)


@lru_cache(maxsize=256)
def _lexer(language: str):
    # The code exactly as written: leading and trailing blank lines are part of it (CommonMark).
    options = {"stripnl": False, "ensurenl": False}
    if not language:
        return TextLexer(**options)
    try:
        return get_lexer_by_name(language, **options)
    except ClassNotFound:
        return TextLexer(**options)


def info_language(info: str) -> str:
    """The language word of a fence's info string (``python`` in ``python {.x}``)."""
    word = (info or "").strip().split(maxsplit=1)[0] if (info or "").strip() else ""
    return html.unescape(word).lower()


def highlight_code(code: str, language: str = "") -> str:
    """Highlight ``code`` as ``language`` (plain text when unknown), escaped for HTML."""
    return highlight(code, _lexer(language.lower()), _FORMATTER)


def render_fence(self, tokens, idx, options, env):
    """markdown-it render rule for ``fence``: Pygments instead of ``<pre><code class=...>``."""
    token = tokens[idx]
    return highlight_code(token.content, info_language(token.info))


def render_code_block(self, tokens, idx, options, env):
    """markdown-it render rule for indented code: the same box as a fence without language."""
    return highlight_code(tokens[idx].content)
