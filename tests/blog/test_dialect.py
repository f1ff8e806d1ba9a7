"""The Zenn/Qiita dialect, construct by construct, through the dialect plugins and nh3.

Each test renders with a plain CommonMark parser plus ``use_dialect`` and the same sanitizer
options the site uses, so what is asserted here is what reaches a browser.
"""

import re

import pytest

from blog.dialect.embeds import provided_link_cards, youtube_id
from blog.dialect.fences import parse_info
from blog.markdown.pipeline import render as pipeline_render
from blog.markdown.sanitize import sanitize


def render(source: str, link_cards=None) -> str:
    with provided_link_cards(link_cards or {}):
        return pipeline_render(source).html


# -- code fences ---------------------------------------------------------------------------


def test_file_name_after_the_language_is_a_label_above_highlighted_code():
    html = render("```python:src/main.py\nprint('こんにちは')\n```\n")
    assert '<span class="code-file">src/main.py</span>' in html
    assert '<span class="code-lang">python</span>' in html
    assert '<span class="nb">print</span>' in html
    assert html.index("code-label") < html.index("<pre")


def test_diff_with_a_language_colours_added_and_removed_lines_and_names_the_language():
    html = render("```diff python\n+追加\n-削除\n 同じ\n```\n")
    assert '<span class="gi">+追加</span>' in html
    assert '<span class="gd">-削除</span>' in html
    assert '<span class="code-lang">diff python</span>' in html


@pytest.mark.parametrize(
    "info, expected",
    [
        ("python", ("python", "", False)),
        ("js:app.js", ("js", "app.js", False)),
        ("diff js", ("js", "", True)),
        ("diff_ruby", ("ruby", "", True)),
        ("diff", ("", "", True)),
        ('"><script>', ("", "", False)),
        ("", ("", "", False)),
    ],
)
def test_fence_info_strings_are_read_as_zenn_does(info, expected):
    assert parse_info(info) == expected


def test_unknown_language_is_shown_as_plain_escaped_code_with_its_label():
    html = render("```nosuchlang\n<b>太字</b>\n```\n")
    assert "&lt;b&gt;太字&lt;/b&gt;" in html
    assert '<span class="code-lang">nosuchlang</span>' in html


def test_html_in_a_file_label_is_shown_as_text():
    html = render("```python:<script>alert(1)</script><b>.py\nx\n```\n")
    assert "<script" not in html and "<b>" not in html
    assert '<span class="code-file">&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;.py</span>' in html


def test_fence_without_language_has_no_label():
    html = render("```\nplain\n```\n")
    assert "code-label" not in html
    assert '<div class="code-block"><div class="highlight"><pre tabindex="0"><span></span><code>plain' in html


# -- mermaid -------------------------------------------------------------------------------


def test_mermaid_fence_keeps_its_source_for_the_browser_script_and_flags_the_page():
    rendered = pipeline_render("```mermaid\ngraph TD\n  A[開始] --> B[終了]\n```\n")
    assert '<pre class="mermaid" tabindex="0">graph TD\n  A[開始] --&gt; B[終了]\n</pre>' in rendered.html
    assert "mermaid" in rendered.features


def test_markup_inside_a_mermaid_block_stays_text():
    html = render('```mermaid\ngraph TD\nA["<img src=x onerror=alert(1)>"] --> B</pre><script>alert(1)</script>\n```\n')
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;/pre&gt;&lt;script&gt;" in html


# -- containers ----------------------------------------------------------------------------


def test_message_is_a_labelled_note():
    html = render(":::message\nお知らせです\n:::\n")
    assert '<div class="msg msg-info" role="note" aria-label="補足">\n<p>お知らせです</p>\n</div>' in html


def test_message_alert_is_a_warning_note():
    assert 'class="msg msg-alert" role="note" aria-label="警告"' in render(":::message alert\n危険\n:::\n")


@pytest.mark.parametrize("level, label", [("info", "補足"), ("warn", "注意"), ("alert", "警告")])
def test_qiita_note_levels(level, label):
    html = render(f":::note {level}\n本文\n:::\n")
    assert f'class="msg msg-{level}" role="note" aria-label="{label}"' in html


def test_details_has_a_summary_with_its_title():
    html = render(":::details クリックで開く\n隠れた本文\n:::\n")
    assert '<details class="details"><summary>クリックで開く</summary><div class="details-body">' in html
    assert "<p>隠れた本文</p>" in html


def test_containers_nest_with_a_longer_outer_fence():
    html = render("::::details 外側\n:::message alert\n内側\n:::\n::::\n")
    details = html.index("<details")
    inner = html.index('class="msg msg-alert"')
    assert details < inner < html.index("</details>")
    assert html.count("</div>") == 2


def test_html_in_a_container_title_is_text():
    html = render(':::details <img src=x onerror=alert(1)><script>alert(2)</script>\n本文\n:::\n')
    assert "<script" not in html and "<img" not in html
    assert "<summary>&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;</summary>" in html


# -- images --------------------------------------------------------------------------------


def test_width_after_an_equals_sign_sets_the_image_width():
    html = render("![構成図](https://example.com/a.png =250x)\n")
    assert re.search(r'<img alt="構成図" src="https://example.com/a.png" width="250"[^>]*loading="lazy"', html)


def test_width_and_height_are_both_kept():
    html = render("![図](https://example.com/a.png =320x200)\n")
    assert 'width="320" height="200"' in html


def test_italic_line_after_an_image_becomes_its_figure_caption():
    html = render("![構成図](https://example.com/a.png)\n*図1: システム構成*\n")
    assert html.startswith('<figure class="figure"><img alt="構成図" src="https://example.com/a.png"')
    assert "<figcaption>図1: システム構成</figcaption></figure>" in html


def test_every_image_is_lazy():
    html = render("文中の ![アイコン](https://example.com/i.png) 画像\n")
    assert 'loading="lazy"' in html


def test_italic_that_is_not_right_after_an_image_stays_emphasis():
    html = render("本文 *強調* です\n")
    assert "<figure" not in html and "<em>強調</em>" in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x"])
def test_sized_image_with_a_script_url_is_not_an_image(url):
    html = render(f"![x]({url} =20x)\n")
    assert "src=" not in html and "href=" not in html


def test_plain_image_with_a_script_url_is_not_an_image():
    html = render("![x](javascript:alert(1))\n")
    assert "src=" not in html and "javascript" not in html


# -- math ----------------------------------------------------------------------------------


def test_inline_math_becomes_mathml():
    html = render("二乗は $x^2$ です\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>' in html


def test_display_math_becomes_block_mathml():
    html = render("$$\n\\frac{a}{b}\n$$\n")
    assert 'display="block"' in html
    assert "<mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>" in html


def test_prices_in_prose_are_not_math():
    assert "<math" not in render("価格は $100 から $200 です\n")


def test_bad_tex_shows_its_source_and_a_visible_error():
    html = render("$$\n\\frac{\n$$\n")
    assert '<code>\\frac{</code><span class="math-error-note">（数式を表示できません）</span>' in html
    assert "<math" not in html


def test_tex_href_to_javascript_never_becomes_a_link():
    html = render("$\\href{javascript:alert(1)}{x}$\n")
    assert "href=" not in html
    assert "<a" not in html


def test_mathml_outside_the_allow_list_is_dropped():
    html = sanitize('<math><maction actiontype="statusline"><mi>x</mi></maction><mi href="javascript:x" onclick="y">y</mi></math>')
    assert "maction" not in html and "href" not in html and "onclick" not in html
    assert "<mi>y</mi>" in html


# -- embeds and link cards -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=10",
    ],
)
def test_youtube_urls_are_recognised(url):
    assert youtube_id(url) == "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    "url",
    ["https://www.youtube.com/watch?v=short", "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ%22onload"],
)  # fmt: skip
def test_lookalike_youtube_urls_are_not_videos(url):
    assert youtube_id(url) is None


def test_youtube_url_alone_on_a_line_is_a_click_to_load_facade_without_an_iframe():
    html = render("https://www.youtube.com/watch?v=dQw4w9WgXcQ\n")
    assert '<a class="youtube-facade" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html
    assert 'src="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"' in html
    assert "<iframe" not in html


def test_url_inside_a_sentence_stays_a_plain_link_or_text():
    html = render("動画は https://youtu.be/dQw4w9WgXcQ を参照\n")
    assert "youtube-facade" not in html


@pytest.mark.parametrize(
    "url, kind, title",
    [
        ("https://x.com/allforces/status/1234567890", "x", "@allforces さんの投稿"),
        ("https://twitter.com/allforces/status/1234567890", "x", "@allforces さんの投稿"),
        ("https://github.com/executablebooks/markdown-it-py", "github", "executablebooks/markdown-it-py"),
        ("https://speakerdeck.com/allforces/llm-intro", "speakerdeck", "llm-intro"),
    ],
)
def test_known_services_are_server_rendered_cards_without_scripts(url, kind, title):
    html = render(url + "\n")
    assert f'<div class="embed-card embed-{kind}"><a class="card-link" href="{url}"' in html
    assert f'<span class="card-title">{title}</span>' in html
    assert "<script" not in html and "<iframe" not in html


def test_other_url_uses_the_card_fetched_at_save_time():
    cards = {"https://example.com/post": {"title": "記事タイトル", "description": "説明文", "image": "https://example.com/og.png"}}
    html = render("https://example.com/post\n", link_cards=cards)
    assert '<span class="card-title">記事タイトル</span>' in html
    assert '<span class="card-description">説明文</span>' in html
    assert '<img class="card-image" src="https://example.com/og.png" alt=""' in html
    assert '<span class="card-meta">example.com</span>' in html


def test_url_without_fetched_data_falls_back_to_domain_and_url():
    html = render("https://example.com/post\n")
    assert '<span class="card-title">https://example.com/post</span>' in html
    assert '<span class="card-meta">example.com</span>' in html


def test_hostile_link_card_values_are_escaped_and_script_images_dropped():
    cards = {
        "https://example.com/x": {
            "title": '"><script>alert(1)</script>',
            "description": "<img src=x onerror=alert(2)>",
            "image": "javascript:alert(3)",
        }
    }
    html = render("https://example.com/x\n", link_cards=cards)
    assert "<script" not in html
    assert "<img src=x" not in html and "onerror=alert(2)>" not in html
    assert "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("line", ["javascript:alert(1)", "<javascript:alert(1)>", "[https://x.com/a/status/1](javascript:alert(1))"])
def test_script_urls_alone_on_a_line_never_become_embeds(line):
    html = render(line + "\n")
    assert "embed-" not in html and "youtube-facade" not in html
    assert 'href="javascript' not in html.lower()


def test_bare_url_inside_a_list_item_is_left_alone():
    html = render("- https://github.com/a/b\n")
    assert "embed-card" not in html
