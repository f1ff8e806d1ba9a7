"""Share links on article pages, and visible feed links on list pages: no third-party code."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_article(
        "「推論コスト」はどこまで下がる？ A&B",
        category=make_category("LLM"),
        authors=[make_author("佐藤 美咲")],
        tags=["推論"],
    )


def share_links(body: str) -> dict[str, str]:
    share = body.split('<nav class="share"')[1].split("</nav>")[0]
    return {
        name: unescape(href)
        for href, name in re.findall(r'<a class="share__link share__link--[a-z]+" href="([^"]+)"[^>]*>([^<]+)<', share)
    }


def test_article_page_offers_share_links_for_x_hatena_line_facebook_and_copy(client, article):
    body = client.get(article.get_absolute_url()).content.decode()
    links = share_links(body)
    url = "http://testserver" + article.get_absolute_url()
    assert set(links) == {"X", "はてなブックマーク", "LINE", "Facebook", "リンクをコピー"}

    x = urlsplit(links["X"])
    assert (x.scheme, x.netloc, x.path) == ("https", "x.com", "/intent/post")
    assert parse_qs(x.query) == {"text": [article.title], "url": [url]}
    hatena = urlsplit(links["はてなブックマーク"])
    assert (hatena.netloc, hatena.path) == ("b.hatena.ne.jp", "/add")
    assert parse_qs(hatena.query) == {"mode": ["confirm"], "url": [url], "title": [article.title]}
    line = urlsplit(links["LINE"])
    assert (line.netloc, line.path, parse_qs(line.query)) == ("social-plugins.line.me", "/lineit/share", {"url": [url]})
    facebook = urlsplit(links["Facebook"])
    assert (facebook.netloc, facebook.path, parse_qs(facebook.query)) == ("www.facebook.com", "/sharer/sharer.php", {"u": [url]})
    # Without JavaScript the copy link is simply the article's address.
    assert links["リンクをコピー"] == url


def test_share_links_use_the_site_url_when_configured(client, article, settings):
    settings.SITE_URL = "https://allforces.example"
    links = share_links(client.get(article.get_absolute_url()).content.decode())
    assert links["リンクをコピー"] == "https://allforces.example" + article.get_absolute_url()
    assert parse_qs(urlsplit(links["LINE"]).query)["url"] == [links["リンクをコピー"]]


def test_share_links_open_a_new_tab_without_a_referrer_and_say_so(client, article):
    body = client.get(article.get_absolute_url()).content.decode()
    external = re.findall(r'<a class="share__link share__link--(?!copy)[a-z]+"[^>]*>.*?</a>', body)
    assert len(external) == 4
    for link in external:
        assert 'target="_blank" rel="noopener noreferrer"' in link
        assert "（新しいタブ）" in link


def test_the_copy_confirmation_has_a_live_region_waiting_for_it(client, article):
    body = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="share__status" role="status" aria-live="polite" data-copy-status></p>' in body


def test_article_page_loads_no_third_party_script_iframe_or_image(client, article):
    body = client.get(article.get_absolute_url()).content.decode()
    for tag, attribute in [("script", "src"), ("iframe", "src"), ("img", "src"), ("link", "href")]:
        for value in re.findall(rf"<{tag}\b[^>]*\b{attribute}=\"([^\"]+)\"", body):
            assert not value.startswith(("http:", "https:", "//")) or value.startswith("http://testserver/"), (tag, value)
    assert "<iframe" not in body


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("home", "/feed/"),
        ("category", "category-feed"),
        ("tag", "tag-feed"),
        ("author", "author-feed"),
    ],
)
def test_list_pages_show_a_visible_link_to_their_feed(client, article, page, feed):
    from django.urls import reverse

    objects = {"category": article.category, "tag": article.tags.get(), "author": article.authors.get()}
    url = "/" if page == "home" else objects[page].get_absolute_url()
    expected = feed if page == "home" else reverse(f"blog:{feed}", args=[objects[page].slug])
    body = client.get(url).content.decode()
    main = body.split('<main id="main"')[1].split("</main>")[0]
    link = re.search(r'<p class="page-feed"><a class="feed-link" href="([^"]+)">([^<]+)</a></p>', main)
    assert link and link.group(1) == expected and "RSSで購読" in link.group(2)
    assert client.get(link.group(1))["Content-Type"].startswith("application/rss+xml")
