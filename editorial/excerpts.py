"""The excerpt is a line of inline text on cards and in meta descriptions: links and emphasis only."""

from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from blog.rendering import render_inline

# What an excerpt may contain once rendered. The single paragraph Markdown wraps it in is allowed.
INLINE = {"a", "em", "strong", "b", "i", "code", "del", "s", "br", "span"}
NAMES = {
    "img": _("画像"),
    "picture": _("画像"),
    "h1": _("見出し"), "h2": _("見出し"), "h3": _("見出し"), "h4": _("見出し"), "h5": _("見出し"), "h6": _("見出し"),
    "ul": _("箇条書き"), "ol": _("箇条書き"), "li": _("箇条書き"),
    "blockquote": _("引用"),
    "pre": _("コードブロック"),
    "table": _("表"),
    "hr": _("区切り線"),
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        # Highlighted code comes wrapped: <div class="highlight"><pre>…
        if tag == "div" and ("class", "highlight") in attrs:
            tag = "pre"
        self.tags.append(tag)


def refused_elements(source: str) -> list[str]:
    """Name, in order and once each, what the excerpt holds besides inline text, links and emphasis."""
    parser = _Tags()
    parser.feed(render_inline(source))
    parser.close()
    found = []
    if parser.tags.count("p") > 1:
        found.append(str(_("複数の段落")))
    for tag in parser.tags:
        if tag in INLINE or tag == "p":
            continue
        name = str(NAMES.get(tag, _("ブロック要素")))
        if name not in found:
            found.append(name)
    return found


def validate_excerpt(source: str) -> None:
    """Refuse an excerpt with images, headings or block elements, naming them."""
    if found := refused_elements(source):
        raise ValidationError(
            _("抜粋に使えるのは文章とリンク、強調だけです。次のものを取り除いてください：%(found)s"),
            code="excerpt_not_inline",
            params={"found": "、".join(found)},
        )
