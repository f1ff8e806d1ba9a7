"""``$…$`` and ``$$…$$`` rendered on the server to MathML with latex2mathml.

No client script: browsers draw MathML Core natively. TeX that does not convert shows its
source in ``<code>`` with a visible error instead of failing the save.
"""

from html import escape

import latex2mathml.converter
from mdit_py_plugins.dollarmath import dollarmath_plugin

# MathML Core presentation elements latex2mathml emits. ``href`` is never allowed:
# ``\href{javascript:…}`` would otherwise become a link.
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "merror", "semantics", "annotation",
}  # fmt: skip
_PRESENTATION = {"mathvariant", "displaystyle", "scriptlevel"}
MATHML_ATTRIBUTES = {
    "math": {"xmlns", "display"},
    "mi": _PRESENTATION,
    "mn": _PRESENTATION,
    "mtext": _PRESENTATION,
    "mrow": _PRESENTATION,
    "mstyle": _PRESENTATION,
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace", "form", "largeop",
           "movablelimits", "accent", "symmetric", "minsize", "maxsize"} | _PRESENTATION,
    "mspace": {"width", "height", "depth"},
    "mfrac": {"linethickness"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mtable": {"columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame"},
    "mtr": {"columnalign", "rowalign"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"},
    "menclose": {"notation"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "annotation": {"encoding"},
}  # fmt: skip


def render_math(content: str, options: dict) -> str:
    display = "block" if options.get("display_mode") else "inline"
    try:
        mathml = latex2mathml.converter.convert(content, display=display)
    except Exception:  # latex2mathml raises many unrelated types for malformed TeX
        return (
            f'<span class="math-error"><code>{escape(content)}</code>'
            '<span class="math-error-note">（数式を表示できません）</span></span>'
        )
    return mathml


def math_plugin(md) -> None:
    def flag(state) -> None:
        if any(child.type.startswith("math") for token in state.tokens for child in (token.children or [token])):
            state.env.setdefault("features", set()).add("math")

    md.core.ruler.push("math_feature", flag)
    # Plain dollars in prose (「$100 と $200」) stay text: no space after the opening $ etc.
    dollarmath_plugin(md, allow_labels=False, allow_space=False, allow_digits=False, renderer=render_math)
