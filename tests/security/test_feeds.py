"""No executable URL reaches a reader, whatever control character hides it.

``java<U+0001>script:`` is no scheme to the sanitizer (it keeps it as a harmless relative link)
but becomes one to whatever drops the control character later: an XML writer, a feed reader, a
browser that ignores tabs and newlines inside URLs. So every control character is removed before
sanitizing, and nothing transforms sanitized HTML afterwards. Checked here for every C0 control
(and DEL) inside ``javascript:``, ``vbscript:`` and ``data:`` URLs, written as Markdown links,
images, reference links and raw HTML, in the body and the excerpt, on every output: the article
page and its JSON-LD, both feeds, the staff preview, a share link and the editor's live preview.
"""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import sharing
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

CONTROLS = [chr(code) for code in range(0x20)] + ["\x7f"]
# What can be stored: forms refuse NUL (Django's ProhibitNullCharactersValidator) and PostgreSQL
# cannot hold it, so NUL goes only through the live preview, which stores nothing.
STORED_CONTROLS = [control for control in CONTROLS if control != "\x00"]
SCHEMES = ["javascript:alert(document.domain)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>"]
EXECUTABLE = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "xlink:href", "background", "cite"}


def hidden(url: str, control: str) -> list[str]:
    """``url`` with ``control`` inside its scheme, before its colon and in front of it."""
    scheme, rest = url.split(":", 1)
    return [f"{scheme[:4]}{control}{scheme[4:]}:{rest}", f"{scheme}{control}:{rest}", f"{control}{url}"]


def hostile_markdown(url: str) -> str:
    return "\n\n".join(
        [
            f"[参考]({url})",
            f"![図]({url})",
            f"[参照リンク][r{abs(hash(url))}]\n\n[r{abs(hash(url))}]: {url}",
            f'<a href="{url}">生のリンク</a>',
            f'<img src="{url}" alt="生の画像">',
        ]
    )


def hostile_urls(scheme: str, controls=STORED_CONTROLS) -> list[str]:
    return [variant for control in controls for variant in hidden(scheme, control)]


@pytest.fixture
def hostile_articles():
    articles = []
    for scheme in SCHEMES:
        urls = hostile_urls(scheme)
        articles.append(
            make_article(
                f"制御文字入りURLの記事 {scheme[:4]}",
                body="\n\n".join(hostile_markdown(url) for url in urls),
                excerpt=" ".join(f"[要約]({url})" for url in urls[:24]),
            )
        )
    return articles


class _Urls(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value or "" for name, value in attrs if name in URL_ATTRIBUTES]

    handle_startendtag = handle_starttag


def urls_in_html(document: str) -> list[str]:
    parser = _Urls()
    parser.feed(document)
    parser.close()
    return parser.urls


def executable(url: str) -> bool:
    """What a lenient reader would run: every control character dropped (as an XML writer or a
    feed reader may), then leading and trailing spaces (as browsers do), case folded."""
    return bool(EXECUTABLE.match(re.sub(r"[\x00-\x1f\x7f]", "", url).strip(" ")))


def assert_no_executable_url(document: str, where: str):
    bad = [url for url in urls_in_html(document) if executable(url)]
    assert not bad, f"{where}: {bad[:3]}"


def html_inside_feed(xml: bytes) -> list[str]:
    """Every element's text: item descriptions and content are HTML carried as text."""
    return [element.text for element in ET.fromstring(xml).iter() if element.text]


def test_the_hostile_urls_are_really_written_as_links():
    # The raw Markdown, before any cleaning, does carry executable links: the test is not vacuous.
    from markdown import markdown

    raw = markdown(hostile_markdown(SCHEMES[0]))
    assert any(executable(url) for url in urls_in_html(raw))


def test_article_pages_and_their_json_ld_carry_no_executable_url(hostile_articles):
    client = Client()
    for article in hostile_articles:
        page = client.get(article.get_absolute_url()).content.decode()
        assert_no_executable_url(page, article.get_absolute_url())
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
            data = json.loads(block)
            strings = re.findall(r'"((?:[^"\\]|\\.)*)"', json.dumps(data, ensure_ascii=False))
            assert not [s for s in strings if executable(s)]
    assert_no_executable_url(client.get("/").content.decode(), "/")
    assert_no_executable_url(client.get("/search/", {"q": "制御文字入り"}).content.decode(), "search")


@pytest.mark.parametrize("name", ["blog:feed", "blog:feed-atom"])
def test_feeds_carry_no_executable_url(hostile_articles, name):
    response = Client().get(reverse(name))
    assert response.status_code == 200
    texts = html_inside_feed(response.content)
    assert any("参考" in text for text in texts)  # the bodies are there
    for text in texts:
        assert_no_executable_url(text, name)
        assert not executable(text.strip())  # <link>, <guid>, <id> and the like
    for element in ET.fromstring(response.content).iter():
        for url in element.attrib.values():
            assert not executable(url)


@pytest.mark.parametrize("name", ["blog:feed-json"])
def test_json_feed_carries_no_executable_url(hostile_articles, name):
    response = Client().get(reverse(name))
    assert response.status_code == 200
    document = json.loads(response.content)
    assert len(document["items"]) == len(hostile_articles)
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', json.dumps(document, ensure_ascii=False))
    assert not [s for s in strings if executable(s)]
    for item in document["items"]:
        assert "参考" in item["content_html"]  # the bodies are there
        assert_no_executable_url(item["content_html"], name)
        # relative URLs are resolved against the article: every URL left is http(s) or mailto
        assert all(url.startswith(("http://testserver/", "https://", "mailto:")) for url in urls_in_html(item["content_html"]))


def test_previews_and_share_links_carry_no_executable_url(client, hostile_articles):
    draft = make_article("下書きの記事", status=Article.Status.DRAFT, body=hostile_markdown(hostile_urls(SCHEMES[0])[1]))
    outsider = Client()
    token = sharing.make_token(draft, expires_at=timezone.now() + datetime.timedelta(days=1))
    shared = outsider.get(reverse("editorial:shared-preview", args=[token]))
    assert shared.status_code == 200
    assert_no_executable_url(shared.content.decode(), "share link")

    client.force_login(make_user("chief", is_superuser=True))
    staff = client.get(reverse("admin:blog_article_preview", args=[draft.pk]))
    assert staff.status_code == 200
    assert_no_executable_url(staff.content.decode(), "staff preview")
    for scheme in SCHEMES:
        urls = hostile_urls(scheme, CONTROLS)
        live = client.post("/markdownx/markdownify/", {"content": "\n\n".join(map(hostile_markdown, urls))})
        assert live.status_code == 200
        assert_no_executable_url(live.content.decode(), "live preview")


def test_sanitizing_keeps_ordinary_links_and_images(hostile_articles):
    article = make_article("普通のリンク", body="[公式](https://openai.com/ja/) ![図](https://example.jp/a.png) [メール](mailto:desk@example.jp)")
    page = Client().get(article.get_absolute_url()).content.decode()
    urls = urls_in_html(page)
    assert {"https://openai.com/ja/", "https://example.jp/a.png", "mailto:desk@example.jp"} <= set(urls)


@pytest.mark.parametrize("name", ["blog:tag-feed", "blog:category-feed-atom", "blog:author-feed"])
def test_text_only_feed_fields_carry_plain_text(name):
    from tests.factories import make_author, make_category

    category = make_category("<em>強調</em>カテゴリー", description="<script>alert(1)</script>説明 &lt;b&gt;太字&lt;/b&gt;")
    author = make_author("<img src=x onerror=alert(1)>記者")
    article = make_article(
        "<b>太字</b>の&lt;script&gt;alert(1)&lt;/script&gt;題名",
        category=category,
        authors=[author],
        tags=["<i>斜体</i>タグ"],
    )
    obj = {"blog:tag-feed": article.tags.first(), "blog:category-feed-atom": category, "blog:author-feed": author}[name]
    response = Client().get(reverse(name, kwargs={"slug": obj.slug}))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    items = [e for e in root.iter() if e.tag in {"item", "{http://www.w3.org/2005/Atom}entry"}]
    channel_texts = [e.text for e in root.iter() if e.text and e.tag.rsplit("}", 1)[-1] in {"title", "subtitle", "name", "category"}]
    channel_texts += [e.attrib["term"] for e in root.iter() if "term" in e.attrib]
    channel = root.find("channel")
    if channel is not None and channel.find("description") is not None:
        channel_texts.append(channel.find("description").text)
    assert items and channel_texts
    for text in channel_texts:
        assert "<" not in text and "&lt;" not in text and "onerror" not in text, text
    assert any("太字の" in text for text in channel_texts)
    assert any("斜体タグ" in text or "強調カテゴリー" in text or "記者" in text for text in channel_texts)
