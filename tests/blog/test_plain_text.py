"""Plain text of rendered HTML (search text, descriptions, reading time): ``blog.markdown.text``."""

from html.parser import HTMLParser

from blog.guide import _EXAMPLE, GUIDE_PATH
from blog.markdown.pipeline import render
from blog.markdown.text import BLOCKS, SKIP_CLASSES, VOID, html_to_text


def test_one_line_per_block_with_inline_markup_joined_and_spaces_collapsed():
    html = "<h2>見出し</h2>\n<p>本文の<strong>太字</strong>と  \t<code>code</code>。</p><ul><li>一</li><li>二</li></ul>"
    assert html_to_text(html) == "見出し\n本文の太字と code。\n一\n二"


def test_permalinks_and_footnote_back_links_are_not_text():
    html = (
        '<h2 id="a">導入<a class="headerlink" href="#a" title="&gt; リンク"><span>¶</span></a></h2>'
        '<p>脚注<a class="footnote-backref" href="#r"><img src="x.png" alt="">↩</a>の後</p>'
    )
    assert html_to_text(html) == "導入\n脚注の後"


def test_character_references_are_decoded_once_and_never_read_as_markup():
    assert html_to_text("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; A&#38;B</p>") == "<script>alert(1)</script> &amp; A&B"


def test_attribute_values_holding_angle_brackets_do_not_leak_into_the_text():
    html = '<p><abbr title="a > b">A</abbr><span class=\'x\' title="<b>">B</span><br/>C</p>'
    assert html_to_text(html) == "AB\nC"


def test_empty_input_is_empty_text():
    assert html_to_text("") == html_to_text(None) == ""


class _ReferenceReader(HTMLParser):
    """The same rules applied by a full HTML parser, as the reference for real articles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag in VOID:
            return
        if self.skip or set((dict(attrs).get("class") or "").split()) & SKIP_CLASSES:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        self.skip -= bool(self.skip)
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def reference_text(html: str) -> str:
    reader = _ReferenceReader()
    reader.feed(html)
    reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.parts).splitlines())
    return "\n".join(line for line in lines if line)


def test_every_construct_of_the_writers_guide_reads_as_a_full_html_parser_reads_it():
    body = render(_EXAMPLE.sub(lambda example: example.group(1), GUIDE_PATH.read_text(encoding="utf-8"))).html
    for marker in ("<math", "task-list-item-checkbox", "headerlink", "footnote-backref", "embed-card", "highlight"):
        assert marker in body
    assert html_to_text(body) == reference_text(body)
    assert "脚注の内容です。" in html_to_text(body)
