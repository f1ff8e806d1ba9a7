"""Second oracle: real posts have the same structure under our pipeline as under cmark-gfm.

cmark-gfm is GitHub's own renderer, and the old Jekyll site read its posts as GFM. For each
fixture (real posts copied into tests/fixtures/markdown_oracle with their licences, and our own
Japanese edge cases) we count list items, code blocks, tables, headings, block quotes, links and
images in both outputs, after the same kramdown clean-up and the same sanitizer. In-page links
(heading permalinks, footnote links) are left out: the two renderers write them differently.
"""

import collections
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import frontmatter
import pytest
from cmarkgfm.cmark import Options

from blog.markdown import kramdown
from blog.rendering import render_markdown, sanitize

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "markdown_oracle"
POSTS = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name not in {"LICENSE", "LICENSE.txt", "README.md"})
COUNTED = {"li", "pre", "table", "blockquote", "img", "h1", "h2", "h3", "h4", "h5", "h6"}


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.counts = collections.Counter()

    def handle_starttag(self, tag, attrs):
        if tag == "a" and not (dict(attrs).get("href") or "#").startswith("#"):
            self.counts["a"] += 1
        elif tag in COUNTED:
            self.counts[tag] += 1


def structure(html: str) -> dict:
    parser = _Structure()
    parser.feed(html)
    return dict(parser.counts)


def body_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    try:
        body = frontmatter.loads(text).content
    except Exception:  # broken YAML on purpose in some fixtures: the whole file is the body
        body = text
    return kramdown.clean(body)[0]


def cmark_gfm(source: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(source, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES)


def test_there_are_enough_posts_to_mean_something():
    assert len(POSTS) >= 20
    assert any("release" in p.name for p in POSTS)


@pytest.mark.parametrize("path", POSTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_post_has_the_same_structure_as_under_cmark_gfm(path):
    source = body_of(path)
    ours = structure(render_markdown(source).html)
    github = structure(sanitize(cmark_gfm(source)))
    assert ours == github


def test_the_oracle_sees_nesting_and_code_in_lists():
    # Guard against a counter that counts nothing: the edge-case fixture has all of these.
    counts = structure(render_markdown(body_of(FIXTURES / "own" / "japanese-edge-cases.md")).html)
    assert counts["li"] >= 9 and counts["pre"] == 2 and counts["table"] == 1 and counts["img"] == 2
    assert re.search(r"<li>\s*<p>手順一</p>\s*(<div class=\"code-block\">)?<div class=\"highlight\">", render_markdown("1. 手順一\n\n   ```\n   x\n   ```").html)
