"""The sanitizer is the only thing between an editor's Markdown and a reader's browser."""

import re

import pytest

from blog.rendering import render_inline, render_markdown, render_preview, sanitize

HOSTILE = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<svg onload="alert(1)"><circle r="5"></circle></svg>',
    '<a href="javascript:alert(1)">クリック</a>',
    '<a href="JaVaScRiPt:alert(1)">大文字</a>',
    '<a href="jav&#x09;ascript:alert(1)">エンコード</a>',
    "[リンク](javascript:alert(1))",
    "[データ](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![画像](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name="q"><button>送信</button></form>',
    '<div style="background:url(javascript:alert(1))">スタイル</div>',
    '<p onclick="alert(1)" onmouseover="alert(2)">イベント</p>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    '<details open ontoggle="alert(1)"><summary>概要</summary></details>',
    "<!-- <script>alert(1)</script> -->",
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<img src="https://example.com/a.png" srcset="javascript:alert(1)">',
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    '<table><tr><td onmouseover="alert(1)" style="position:fixed;top:0">セル</td></tr></table>',
]

FORBIDDEN = re.compile(
    # MathML is allowed element by element (server-rendered math); its links and handlers are not.
    r"<\s*(script|iframe|object|embed|form|input|style|meta|base|link|svg)\b"
    r"|\son[a-z]+\s*="
    r"|javascript:|vbscript:|data:"
    r"|position\s*:",
    re.IGNORECASE,
)


@pytest.mark.parametrize("markdown_source", HOSTILE)
def test_hostile_markdown_renders_inert(markdown_source):
    for html in (render_markdown(markdown_source).html, render_inline(markdown_source), render_preview(markdown_source)):
        assert not FORBIDDEN.search(html), html


def test_code_blocks_show_markup_as_text():
    rendered = render_markdown("```html\n<script>alert(1)</script>\n```")
    assert "<script>alert(1)</script>" in rendered.text  # shown to the reader as text
    assert "<script" not in rendered.html


def test_safe_links_and_images_survive():
    html = render_markdown("[ALLFORCES](https://example.com/記事) と ![図](/media/uploads/a.png)").html
    assert 'href="https://example.com/記事"' in html
    assert 'rel="noopener noreferrer"' in html
    assert '<img alt="図" src="/media/uploads/a.png"' in html
    assert 'loading="lazy"' in html


def test_fenced_code_is_highlighted_with_pygments():
    html = render_markdown("```python\ndef 推論(x):\n    return x\n```").html
    assert '<div class="highlight">' in html
    assert '<span class="k">def</span>' in html


def test_tables_and_footnotes_render():
    source = "| モデル | 性能 |\n|:--|--:|\n| Llama | 高い |\n\n本文[^1]\n\n[^1]: 脚注の説明"
    html = render_markdown(source).html
    assert '<table tabindex="0">' in html and '<th style="text-align:left">モデル</th>' in html
    assert 'class="footnote-ref"' in html and "脚注の説明" in html


def test_code_blocks_and_tables_can_be_scrolled_from_the_keyboard():
    html = render_markdown("```python\nx = 1\n```\n\n| a |\n|---|\n| 1 |\n\n<pre tabindex=\"-1\">raw</pre>").html
    assert html.count('<pre tabindex="0">') == 2
    assert '<table tabindex="0">' in html


def test_japanese_headings_get_meaningful_anchors_and_a_table_of_contents():
    rendered = render_markdown("## 性能向上の背景\n\n本文\n\n### オープンソース戦略\n\n本文\n\n## 性能向上の背景\n\n重複")
    assert '<h2 id="性能向上の背景">' in rendered.html
    assert '<h3 id="オープンソース戦略">' in rendered.html
    assert '<h2 id="性能向上の背景_1">' in rendered.html
    assert not re.search(r'id="_\d+"', rendered.html)
    assert '<a href="#性能向上の背景" rel="noopener noreferrer">性能向上の背景</a>' in rendered.toc_html
    assert "<ol><li><a href=\"#オープンソース戦略\"" in rendered.toc_html


def test_table_of_contents_escapes_heading_markup():
    rendered = render_markdown("## <img src=x onerror=alert(1)>危険な見出し & 記号")
    assert "onerror" not in rendered.toc_html
    assert "危険な見出し &amp; 記号" in rendered.toc_html


def test_plain_text_leaves_out_permalink_and_backlink_glyphs():
    rendered = render_markdown("## 見出し\n\n本文[^1]\n\n[^1]: 注")
    assert "#" not in rendered.text
    assert "↩" not in rendered.text
    assert "見出し" in rendered.text and "本文" in rendered.text


def test_sanitize_is_idempotent():
    html = render_markdown("## 見出し\n\n**太字** [リンク](https://example.com)").html
    assert sanitize(html) == html


def test_sanitize_with_a_base_url_resolves_relative_links_in_the_same_pass():
    base = "https://allforces.example/articles/%E6%8E%A8%E8%AB%96/"
    html = sanitize(
        '<a href="/tags/llm/">タグ</a><a href="#fn:1">注</a><img src="../media/a.png" alt="図">'
        '<a href="https://openai.com/">外部</a><a href="mailto:desk@example.jp">連絡</a>'
        '<a href="java\x01script:alert(1)">罠</a><a href="//evil.example/x">別ホスト</a>',
        base_url=base,
    )
    assert 'href="https://allforces.example/tags/llm/"' in html
    assert f'href="{base}#fn:1"' in html
    assert 'src="https://allforces.example/articles/media/a.png"' in html
    assert 'href="https://openai.com/"' in html and 'href="mailto:desk@example.jp"' in html
    assert "javascript" not in html and "<script" not in html
    assert re.findall(r'(?:href|src)="([^"]*)"', html) and all(
        url.startswith(("https://", "mailto:")) for url in re.findall(r'(?:href|src)="([^"]*)"', html)
    )
    assert sanitize('<a href="/x/">x</a>') == '<a href="/x/" rel="noopener noreferrer">x</a>'  # without: untouched
