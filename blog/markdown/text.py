"""Plain text of sanitized HTML, for search, descriptions and reading time."""

from html.parser import HTMLParser

# Elements whose text is page furniture, not part of what the writer wrote.
SKIP_CLASSES = {"headerlink", "footnote-backref"}
BLOCKS = {
    "p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
    "table", "hr", "dd", "dt", "section", "figure", "figcaption", "details", "summary",
}  # fmt: skip
VOID = {"br", "hr", "img", "input", "wbr"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if self._skip_depth or classes & SKIP_CLASSES:
            self._skip_depth += 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self._skip_depth:
            self._skip_depth -= 1
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment, one line per block, without permalink and back-link glyphs."""
    extractor = _TextExtractor()
    extractor.feed(fragment or "")
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)
