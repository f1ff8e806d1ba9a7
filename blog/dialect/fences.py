"""Code fences: a language and file-name label, diff colouring, mermaid diagrams.

```` ```python:src/main.py ```` highlights as Python under a "src/main.py" label (Zenn);
```` ```diff python ```` (or ``diff_python``) colours +/- lines and names the language;
```` ```mermaid ```` keeps the diagram source as escaped text in ``<pre class="mermaid">`` for
the self-hosted script to draw, so without JavaScript the reader sees the source.
"""

import re
from html import escape

from pygments import highlight
from pygments.lexers import DiffLexer

from blog.markdown.highlight import _FORMATTER, highlight_code

_LANG = re.compile(r"[A-Za-z0-9_+#.-]{1,40}")


def parse_info(info: str) -> tuple[str, str, bool]:
    """Return (language, file label, is_diff) for a fence info string."""
    info = info.strip()
    if not info:
        return "", "", False
    word, _, rest = info.partition(" ")
    lang, _, label = word.partition(":")
    diff = False
    if lang == "diff" and rest.strip():
        diff, lang = True, rest.strip().split()[0]
    elif lang.startswith("diff_") and len(lang) > 5:
        diff, lang = True, lang[5:]
    elif lang == "diff":
        diff, lang = True, ""
    if not _LANG.fullmatch(lang or "x"):
        lang = ""
    return lang, label.strip(), diff


def _highlight(code: str, lang: str, diff: bool) -> str:
    # The core's Pygments box (``<div class="highlight"><pre><code>``), keeping blank lines.
    if diff:
        return highlight(code, DiffLexer(stripnl=False, ensurenl=False), _FORMATTER)
    return highlight_code(code, lang)


def render_fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    lang, label, diff = parse_info(token.info)
    if lang == "mermaid" and not diff:
        env.setdefault("features", set()).add("mermaid")
        return f'<div class="mermaid-block"><pre class="mermaid">{escape(token.content)}</pre></div>\n'
    code = _highlight(token.content, lang, diff).rstrip("\n")
    parts = []
    if label:
        parts.append(f'<span class="code-file">{escape(label)}</span>')
    if lang or diff:
        shown = f"diff {lang}".strip() if diff else lang
        parts.append(f'<span class="code-lang">{escape(shown)}</span>')
    label_html = f'<div class="code-label">{"".join(parts)}</div>' if parts else ""
    return f'<div class="code-block">{label_html}{code}</div>\n'


def fences_plugin(md) -> None:
    md.add_render_rule("fence", render_fence)
