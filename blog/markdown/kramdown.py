"""What Jekyll's kramdown understood and CommonMark shows as text: removed before parsing.

Posts written for kramdown carry markers our pipeline has its own way of doing, or none:

* ``* TOC`` / ``1. TOC`` followed by ``{:toc}``: the article page shows its table of contents;
* block and span inline attribute lists (``{: .note}``, ``{:#id}``, ``{:target="_blank"}``) and
  attribute list definitions (``{:name: .class}``): attributes are never taken from the text
  (they could carry ``onclick`` or ``style``), only a heading's ``{#id}`` (see ``toc.py``);
* extensions ``{::options ... /}``, ``{::comment}…{:/comment}``, ``{::nomarkdown}…{:/}``
  (the latter keeps its content: raw HTML, sanitized like any other).

``clean(source)`` returns the Markdown and what it removed, with line numbers, so the importer
can report it; the renderer runs it too, for bodies stored before they were cleaned.
Fenced code and inline code are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EXCERPT_SEPARATOR = "<!--more-->"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TOC_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d+\.)[ \t]+TOC[ \t]*$", re.IGNORECASE)
_TOC_IAL = re.compile(r"^[ \t]*\{:[ \t]*\.?toc[ \t]*\}[ \t]*$", re.IGNORECASE)
# {: .class #id key="value"} alone on a line (block IAL) or {:name: ...} (ALD).
_BLOCK_IAL = re.compile(r"^[ \t]*\{:(?!:)[^{}\n]*\}[ \t]*$")
_OPTIONS = re.compile(r"\{::options\b[^}\n]*/\}")
_EXTENSION_OPEN = re.compile(r"\{::(comment|nomarkdown)\b[^}\n]*\}")
_EXTENSION_SELF_CLOSING = re.compile(r"\{::(?:comment|nomarkdown)\b[^}\n]*/\}")
_EXTENSION_CLOSE = {
    "comment": re.compile(r"\{:/(?:comment)?\}"),
    "nomarkdown": re.compile(r"\{:/(?:nomarkdown)?\}"),
}
# A span IAL right after inline markup: *強調*{: .x}, [リンク](url){:target="_blank"}.
_SPAN_IAL = re.compile(r"\{:(?!:)(?!/)[^{}\n]*\}")
_CODE_SPAN = re.compile(r"(`+).+?\1")


@dataclass(frozen=True)
class Dropped:
    line: int  # 1-based, in the source given to ``clean``
    construct: str


def _outside_code_spans(line: str, pattern: re.Pattern, found: list[str]) -> str:
    out, position = [], 0
    for code in _CODE_SPAN.finditer(line):
        segment = line[position : code.start()]
        found.extend(m.group(0) for m in pattern.finditer(segment))
        out.append(pattern.sub("", segment))
        out.append(code.group(0))
        position = code.end()
    segment = line[position:]
    found.extend(m.group(0) for m in pattern.finditer(segment))
    out.append(pattern.sub("", segment))
    return "".join(out)


def clean(source: str) -> tuple[str, list[Dropped]]:
    """Remove kramdown-only markup; return the Markdown and what was dropped, with lines."""
    if "{:" not in source:
        return source, []
    lines = source.split("\n")
    out: list[str] = []
    dropped: list[Dropped] = []
    fence: str | None = None
    extension: tuple[str, int] | None = None  # (name, opening line) while inside {::comment}
    index = 0
    while index < len(lines):
        line, number = lines[index], index + 1
        index += 1
        opener = _FENCE.match(line)
        if extension is None and opener:
            marker = opener.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker) :].strip():
                fence = None
            out.append(line)
            continue
        if fence is not None:
            out.append(line)
            continue
        if extension is not None:
            name, _opened = extension
            close = _EXTENSION_CLOSE[name].search(line)
            if close is None:
                if name == "nomarkdown":
                    out.append(line)
                continue
            kept = line[: close.start()] if name == "nomarkdown" else ""
            line = kept + line[close.end() :]
            extension = None
        if _TOC_ITEM.match(line) and index < len(lines) and _TOC_IAL.match(lines[index]):
            index += 1  # the marker and its {:toc}: the page has its own table of contents
            continue
        if _TOC_IAL.match(line):
            continue
        if _BLOCK_IAL.match(line) and not line.startswith("    "):
            dropped.append(Dropped(number, line.strip()))
            continue
        if "{::" in line:
            for match in _OPTIONS.finditer(line):
                dropped.append(Dropped(number, match.group(0)))
            line = _OPTIONS.sub("", line)
            line = _EXTENSION_SELF_CLOSING.sub("", line)
            opened = _EXTENSION_OPEN.search(line)
            if opened:
                name = opened.group(1)
                after = line[opened.end() :]
                close = _EXTENSION_CLOSE[name].search(after)
                if close:
                    inner = after[: close.start()] if name == "nomarkdown" else ""
                    line = line[: opened.start()] + inner + after[close.end() :]
                else:
                    extension = (name, number)
                    line = line[: opened.start()] + (after if name == "nomarkdown" else "")
                if not line.strip():
                    continue
        if "{:" in line:
            found: list[str] = []
            line = _outside_code_spans(line, _SPAN_IAL, found)
            dropped.extend(Dropped(number, ial) for ial in found)
        out.append(line)
    if extension is not None:
        dropped.append(Dropped(extension[1], f"{{::{extension[0]}}} に対応する {{:/{extension[0]}}} がないため、以降を削除しました"))
    return "\n".join(out), dropped


def excerpt_source(body: str) -> str:
    """The Markdown before ``<!--more-->`` (Jekyll's excerpt separator), or ``""`` without one."""
    before, separator, _ = (body or "").partition(EXCERPT_SEPARATOR)
    return before.strip() if separator else ""
