"""Markdown → sanitized HTML, the only way article text reaches a browser.

Articles are rendered once, on save (``Article.save``); the editor preview
(django-markdownx, ``MARKDOWNX_MARKDOWNIFY_FUNCTION``) uses the same pipeline, so what an
editor sees is exactly what readers will get. The pipeline itself lives in ``blog.markdown``.
"""

from .markdown.kramdown import excerpt_source
from .markdown.pipeline import Rendered, render
from .markdown.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, sanitize
from .markdown.text import html_to_text

__all__ = [
    "ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_SCHEMES", "Rendered", "excerpt_source",
    "html_to_text", "render_inline", "render_markdown", "render_preview", "sanitize",
]  # fmt: skip


def render_markdown(source: str) -> Rendered:
    """Render Markdown to sanitized HTML, a sanitized table of contents and plain text."""
    return render(source)


def render_inline(source: str) -> str:
    """Render a short Markdown text (an excerpt) to sanitized HTML, without heading anchors."""
    return render(source, anchors=False).html


def render_preview(source: str) -> str:
    """The editor's live preview: exactly what the public page will show."""
    return render(source).html
