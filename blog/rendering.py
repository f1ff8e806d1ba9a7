"""Markdown → sanitized HTML, the only way article text reaches a browser.

Articles are rendered once, on save (``Article.save``); the editor preview
(django-markdownx, ``MARKDOWNX_MARKDOWNIFY_FUNCTION``) uses the same pipeline, so what an
editor sees is exactly what readers will get.
"""

import html
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

from .text import strip_controls

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "img": {"src", "alt", "width", "height"},
    "li": {"class"},
    "ol": {"start"},
    "pre": {"class"},
    "span": {"class"},
    "sup": {"class"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_cleaner_options = dict(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style", "template", "textarea", "title", "noscript", "xmp"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    filter_style_properties={"text-align"},
    # Wide code and tables scroll sideways inside the text column; tabindex lets keyboard
    # readers scroll them too (WCAG 2.1.1).
    set_tag_attribute_values={
        "img": {"loading": "lazy", "decoding": "async"},
        "pre": {"tabindex": "0"},
        "table": {"tabindex": "0"},
    },
)


def sanitize(untrusted_html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes (http, https, mailto).

    Control characters go first: left in, ``java\\x01script:`` is no scheme to the sanitizer
    but becomes one to whatever strips them later (an XML writer, a feed reader).
    """
    return nh3.clean(strip_controls(untrusted_html), **_cleaner_options)


def _markdown() -> markdown.Markdown:
    # A fresh instance per call: Markdown objects keep state and are not thread-safe.
    return markdown.Markdown(
        extensions=["fenced_code", "codehilite", "tables", "footnotes", "toc", "sane_lists", "attr_list"],
        extension_configs={
            "codehilite": {"css_class": "highlight", "guess_lang": False, "linenums": False},
            "toc": {
                "slugify": slugify_unicode,
                "permalink": "#",
                "permalink_class": "headerlink",
                "permalink_title": "この見出しへのリンク",
                "toc_depth": "2-4",
            },
            "footnotes": {"BACKLINK_TITLE": "本文の脚注 %d に戻る", "SUPERSCRIPT_TEXT": "{}"},
        },
        output_format="html",
    )


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str
    text: str


def _toc_html(tokens: list[dict]) -> str:
    if not tokens:
        return ""
    items = []
    for token in tokens:
        name = html.escape(html.unescape(token.get("name", "")))
        anchor = html.escape(token.get("id", ""), quote=True)
        items.append(f'<li><a href="#{anchor}">{name}</a>{_toc_html(token.get("children", []))}</li>')
    return "<ol>" + "".join(items) + "</ol>"


class _TextExtractor(HTMLParser):
    """Plain text of sanitized HTML, without permalink and footnote back-link glyphs."""

    BLOCKS = {"p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "hr", "dd", "dt"}  # fmt: skip
    SKIP_CLASSES = {"headerlink", "footnote-backref"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        if self._skip_depth or classes & self.SKIP_CLASSES:
            self._skip_depth += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self._skip_depth:
            self._skip_depth -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(fragment or "")
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)


def render_markdown(source: str) -> Rendered:
    """Render Markdown to sanitized HTML, a sanitized table of contents and plain text."""
    md = _markdown()
    body = sanitize(md.convert(strip_controls(source)))
    toc = sanitize(_toc_html(getattr(md, "toc_tokens", [])))
    return Rendered(html=body, toc_html=toc, text=html_to_text(body))


def render_inline(source: str) -> str:
    """Render a short Markdown text (an excerpt) to sanitized HTML."""
    return sanitize(markdown.markdown(strip_controls(source), output_format="html"))


def render_preview(source: str) -> str:
    """The editor's live preview: exactly what the public page will show."""
    return render_markdown(source).html
