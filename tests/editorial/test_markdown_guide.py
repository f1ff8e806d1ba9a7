"""The writers' guide renders every construct it documents, and only staff can open it."""

import re

import pytest
from django.urls import reverse

from blog.guide import render_guide
from tests.factories import make_user

# A fragment of each example's rendered result, in the order the guide shows them.
EXPECTED = [
    ("## 大見出し", ["<h2>大見出し</h2>", "<h3>中見出し</h3>", "<h4>小見出し</h4>"]),
    ("**太字**", ["<strong>太字</strong>", "<em>斜体</em>", "<s>取り消し線</s>", "<code>インラインコード</code>", "<br>"]),
    ("[ALLFORCES]", ['<a href="https://example.com/" rel="noopener noreferrer">ALLFORCES</a>', '<img alt="サーバー構成図" src="https://example.com/diagram.png"']),
    ("=250x", ['<figure class="figure">', 'width="250"', 'loading="lazy"', "<figcaption>図1: 推論サーバーの構成</figcaption>"]),
    ("- 親の項目", ["<ul>", "<li>親の項目\n<ul>\n<li>子の項目</li>", "<ol>"]),
    ("> 引用文", ["<blockquote>", "<table", '<th style="text-align:left">モデル</th>']),
    ("```python:src/main.py", ['<span class="code-file">src/main.py</span>', '<span class="code-lang">python</span>', '<span class="k">def</span>']),
    ("```diff python", ['<span class="code-lang">diff python</span>', '<span class="gd">-print("旧")</span>']),
    (":::message", ['class="msg msg-info" role="note" aria-label="補足"', 'class="msg msg-alert"', 'class="msg msg-warn"']),
    ("::::details", ["<details class=\"details\"><summary>クリックで開く</summary>", 'class="msg msg-info"']),
    ("$E = mc^2$", ['<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">', 'display="block"', "<mfrac>"]),
    ("```mermaid", ['<pre class="mermaid" tabindex="0">graph LR']),
    ("https://www.youtube.com", ['class="youtube-facade"', "embed-github", "embed-x", "embed-speakerdeck", "embed-link"]),
]


def test_every_example_renders_with_its_expected_elements():
    examples = [part for part in render_guide() if part.example_source]
    assert len(examples) == len(EXPECTED)
    for part, (source_start, fragments) in zip(examples, EXPECTED, strict=True):
        assert source_start in part.example_source
        for fragment in fragments:
            assert fragment in part.example_html, (source_start, fragment)


def test_prose_between_examples_is_rendered_markdown():
    html = "".join(part.prose_html for part in render_guide())
    assert re.search(r'<h1 id="記法ガイド">記法ガイド<a class="headerlink"', html)
    assert len(re.findall(r"<h2 id=", html)) >= 12
    assert "<code>:::details</code>" in html


def test_an_example_can_contain_fences_and_the_guide_keeps_them_apart():
    parts = render_guide("前\n\n````example\n```python\nx\n```\n````\n\n後\n")
    assert parts[0].example_source == "```python\nx\n```\n"
    assert "<p>後</p>" in parts[1].prose_html


@pytest.mark.django_db
def test_staff_see_the_guide_with_source_and_result(client):
    client.force_login(make_user())
    response = client.get(reverse("editorial:markdown-guide"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<pre class=\"guide-source\" tabindex=\"0\"><code>```python:src/main.py" in body
    assert '<span class="code-file">src/main.py</span>' in body


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("editorial:markdown-guide"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_the_article_form_links_to_the_guide(client):
    client.force_login(make_user(is_superuser=True))
    response = client.get(reverse("admin:blog_article_add"))
    assert response.status_code == 200
    assert f'href="{reverse("editorial:markdown-guide")}"' in response.content.decode()
