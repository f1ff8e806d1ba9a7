"""GitHub Flavored Markdown and kramdown as writers type them, and hostile versions of each."""

import re

import pytest

from blog.markdown import kramdown
from blog.rendering import render_inline, render_markdown


def html(source: str) -> str:
    return render_markdown(source).html


def test_nested_list_with_two_space_indent_keeps_its_nesting():
    assert re.search(r"<li>親\s*<ul>\s*<li>子</li>", html("- 親\n  - 子"))


def test_fenced_code_inside_a_numbered_step_stays_a_code_block():
    out = html("1. インストール\n\n   ```sh\n   pip install allforces\n   ```\n2. 実行")
    assert re.search(r"<li>.*<div class=\"highlight\"><pre", out, re.S)


def test_list_right_after_a_paragraph_is_a_list():
    assert "<ul>" in html("説明です。\n- A\n- B")


def test_strikethrough_tables_with_alignment_and_hard_breaks():
    out = html("~~取り消し~~\n\n| 左 | 中 | 右 |\n|:--|:-:|--:|\n| a | b | c |\n\n一行目  \n二行目\\\n三行目")
    assert "<s>取り消し</s>" in out
    assert '<th style="text-align:left">左</th>' in out and '<td style="text-align:center">b</td>' in out
    assert '<td style="text-align:right">c</td>' in out
    assert out.count("<br>") == 2


def test_bare_urls_and_www_are_linked_but_bare_domains_are_not():
    out = html("https://example.com/a と www.example.jp と example.com")
    assert '<a href="https://example.com/a"' in out
    assert '<a href="http://www.example.jp"' in out
    assert "example.com</p>" in out and out.count("<a ") == 2


@pytest.mark.parametrize(
    "source, href, after",
    [
        ("https://example.com/です", "https://example.com/", "です"),
        ("詳細はhttps://example.com/docsを参照。", "https://example.com/docs", "を参照。"),
        ("https://example.comで公開", "https://example.com", "で公開"),
        ("www.example.jp/記事。", "http://www.example.jp/", "記事。"),
    ],
)
def test_an_autolink_ends_where_japanese_text_begins(source, href, after):
    out = html(source)
    assert f'<a href="{href}" rel="noopener noreferrer">' in out
    assert f"</a>{after}" in out


def test_task_lists_show_disabled_checkboxes():
    out = html("- [ ] 未完了\n- [x] 完了")
    assert out.count('<input type="checkbox" class="task-list-item-checkbox" disabled') == 2
    assert out.count("checked") == 1


def test_a_written_input_is_not_a_checkbox():
    assert "<input" not in html('<input type="checkbox" onclick="alert(1)"> <span class="task-list-item-checkbox" onclick="x">a</span>')


def test_footnotes_link_both_ways():
    out = html("本文[^注]\n\n[^注]: 脚注の説明")
    assert '<a class="footnote-ref" href="#fn:1"' in out and '<li id="fn:1">' in out
    assert 'href="#fnref:1"' in out


@pytest.mark.parametrize(
    "source",
    [
        "<javascript:alert(1)>",
        "javascript:alert(1)",
        "www.example.com/javascript:alert(1)",
        "[x](javascript:alert(1)) https://example.com/?q=<script>alert(1)</script>",
        "- [ ] <img src=x onerror=alert(1)>\n- [x] <script>alert(1)</script>",
        "本文[^<script>alert(1)</script>]\n\n[^<script>alert(1)</script>]: <img src=x onerror=alert(1)>",
        "本文[^\"onclick=alert(1)]\n\n[^\"onclick=alert(1)]: 注",
        "段落\n{: onclick=\"alert(1)\" style=\"position:fixed\"}",
        "[リンク](https://example.com){: href=\"javascript:alert(1)\" onclick=\"alert(1)\"}",
        "## 見出し {#x\" onclick=\"alert(1)}",
        "## 見出し {: #a onmouseover=alert(1)}",
        "*強調*{:style=\"position:fixed;top:0\"}",
        "{::nomarkdown}<script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>{:/}",
    ],
)
def test_hostile_new_constructs_render_inert(source):
    # Inside a tag: an attribute list shown as text (an excerpt has no heading ids) is inert.
    forbidden = re.compile(r"<\s*script|<[^>]*(?:\son[a-z]+\s*=|(?:href|src)=\"?\s*javascript:|position\s*:)", re.I)
    for out in (html(source), render_inline(source), render_markdown(source).toc_html):
        assert not forbidden.search(out), out


def test_kramdown_markers_never_show_as_text():
    source = (
        "* TOC\n{:toc}\n\n## 概要 {#overview}\n\n注意書き\n{: .note}\n\n"
        "[リンク](https://example.com){:target=\"_blank\"}\n\n{::options parse_block_html=\"true\" /}\n"
        "{::comment}\n編集メモ\n{:/comment}\n\n本文"
    )
    rendered = render_markdown(source)
    assert "{:" not in rendered.html and "TOC" not in rendered.html and "編集メモ" not in rendered.html
    assert '<h2 id="overview">' in rendered.html
    assert '<a href="#overview"' in rendered.toc_html


def test_kramdown_clean_reports_what_it_dropped_with_lines():
    _, dropped = kramdown.clean("段落\n{: .note}\n\n[a](b){:target=\"_blank\"}\n\n{::options x=\"y\" /}\n")
    assert [(d.line, d.construct) for d in dropped] == [
        (2, "{: .note}"),
        (4, '{:target="_blank"}'),
        (6, '{::options x="y" /}'),
    ]


def test_kramdown_markers_inside_code_are_kept():
    source = "```ruby\nx = {:a => 1}\n{: .note}\n```\n\n`{:toc}` の書き方"
    text = render_markdown(source).text
    assert "x = {:a => 1}" in text and "{: .note}" in text and "{:toc}" in text


def test_indented_code_under_a_list_item_stays_code():
    source = "1. チェックサムを確認します。\n\n       sha256sum vim.tar.bz2\n       abc123  vim.tar.bz2\n\n2. 展開します。"
    out = html(source)
    assert re.search(r"<li>.*<pre tabindex=\"0\"><span></span><code>sha256sum vim.tar.bz2", out, re.S)
    assert out.count("<li>") == 2


def test_text_before_more_is_the_excerpt():
    assert kramdown.excerpt_source("導入です。\n\n<!--more-->\n\n続き") == "導入です。"
    assert kramdown.excerpt_source("区切りなし") == ""
