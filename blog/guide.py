"""The writers' Markdown guide (``markdown_guide.md``), rendered live by the article pipeline.

Each ````` ````example ````` fence in the guide is shown twice: its source as code, and its
rendered result (without heading anchors, whose ids would clash with the guide's own). The guide is therefore also a fixture: every construct it documents is
rendered by the tests with the expected elements.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

from .markdown.pipeline import render


def render_markdown(source: str, *, anchors: bool = True) -> str:
    return render(source, anchors=anchors).html

GUIDE_PATH = Path(__file__).with_name("markdown_guide.md")
_EXAMPLE = re.compile(r"^````example\n(.*?)^````[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Part:
    prose_html: SafeString
    example_source: str = ""
    example_html: SafeString = mark_safe("")


def render_guide(text: str | None = None) -> list[Part]:
    """Split the guide into prose and examples, each rendered and sanitized."""
    text = GUIDE_PATH.read_text(encoding="utf-8") if text is None else text
    parts: list[Part] = []
    position = 0
    for match in _EXAMPLE.finditer(text):
        source = match.group(1)
        parts.append(
            Part(
                prose_html=mark_safe(render_markdown(text[position : match.start()])),
                example_source=source,
                example_html=mark_safe(render_markdown(source, anchors=False)),
            )
        )
        position = match.end()
    parts.append(Part(prose_html=mark_safe(render_markdown(text[position:]))))
    return parts

