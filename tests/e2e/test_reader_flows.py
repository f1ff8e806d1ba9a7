"""A reader's path through the site, in a real browser at phone and desktop widths."""

import re
from urllib.parse import unquote

from playwright.sync_api import expect

FEED_LINK = 'head link[rel="alternate"][type="application/rss+xml"]'


def assert_fits_viewport(page):
    """Nothing sticks out sideways: wide tables and code scroll inside their own box."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px viewport"


def assert_feed_autodiscovery(page):
    link = page.locator(FEED_LINK)
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "/feed/")
    expect(link).to_have_attribute("title", re.compile("RSS"))


def test_reader_goes_from_home_to_article_tag_author_archive_search_and_back(page, site, screenshot):
    # Chromium reports everything the site's CSP blocks (a script, a style, an image) here.
    csp_reports = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and csp_reports.append(f"{page.url}: {msg.text}"))
    page.goto(site.url("/"))
    expect(page).to_have_title(re.compile("ALLFORCES"))
    expect(page.locator("h1")).to_have_text("新着記事")
    assert_feed_autodiscovery(page)
    assert_fits_viewport(page)
    screenshot(page, "flow-1-home")

    first_card = page.locator(".card__title a").first
    title = first_card.inner_text()
    first_card.click()
    expect(page).to_have_url(re.compile(r"/articles/"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".toc")).to_be_visible()
    assert_feed_autodiscovery(page)
    assert_fits_viewport(page)
    screenshot(page, "flow-2-article")
    article_url = page.url

    tag_link = page.locator('.article__header a[rel="tag"]').first
    tag_name = tag_link.inner_text()
    tag_link.click()
    expect(page.locator("h1")).to_have_text(tag_name)
    expect(page.locator(".card__title a", has_text=title)).to_be_visible()
    assert_fits_viewport(page)
    screenshot(page, "flow-3-tag")

    page.go_back()
    expect(page).to_have_url(article_url)
    author_link = page.locator('.byline a[rel="author"]').first
    author_name = author_link.inner_text()
    author_link.click()
    expect(page.locator("h1")).to_have_text(author_name)
    expect(page.locator(".card__title a", has_text=title)).to_be_visible()
    assert_fits_viewport(page)
    screenshot(page, "flow-4-author")

    page.get_by_role("navigation", name="カテゴリー").get_by_role("link", name="アーカイブ").click()
    expect(page.locator("h1")).to_have_text("アーカイブ")
    page.locator(".archive ul a").first.click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^\d{4}年\d{1,2}月の記事$"))
    expect(page.locator(".card").first).to_be_visible()
    archive_url = page.url
    assert_fits_viewport(page)
    screenshot(page, "flow-5-archive-month")

    search = page.get_by_role("combobox", name="記事を検索")  # the script makes the search box a combobox
    search.fill("推論")
    search.press("Enter")
    expect(page.locator("h1")).to_have_text("「推論」の検索結果")
    assert "q=推論" in unquote(page.url)
    expect(page.locator(".result-count")).to_have_text(re.compile(r"^[1-9]\d*件見つかりました$"))
    expect(page.locator(".card mark").first).to_have_text("推論")
    expect(search).to_have_value("推論")
    assert_fits_viewport(page)
    screenshot(page, "flow-6-search")

    page.go_back()
    expect(page).to_have_url(archive_url)
    expect(page.locator("h1")).to_have_text(re.compile(r"月の記事$"))

    # The feed the autodiscovery link points at answers with RSS listing the article read above.
    feed = page.request.get(site.url(page.locator(FEED_LINK).get_attribute("href")))
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert "<rss" in feed.text() and f"<title>{title}</title>" in feed.text()

    assert not csp_reports, "the Content-Security-Policy blocked something:\n" + "\n".join(csp_reports)


def test_table_of_contents_sticks_beside_the_text_on_wide_screens_and_leads_on_phones(page, site):
    from tests.e2e.pages import ARTICLE_SLUG

    page.goto(site.url(f"/articles/{ARTICLE_SLUG}/"))
    toc, body = page.locator(".toc"), page.locator(".article__body")
    toc_box, body_box = toc.bounding_box(), body.bounding_box()
    if page.viewport_name == "desktop":
        assert toc_box["x"] > body_box["x"] + body_box["width"], "the TOC sits to the right of the text"
        last_heading = page.locator(".article__body h2").last
        last_heading.scroll_into_view_if_needed()
        expect(toc).to_be_in_viewport()
    else:
        assert toc_box["y"] < body_box["y"], "on a phone the TOC comes before the text"
    # A TOC link jumps to its heading.
    link = toc.locator("a").nth(1)
    target = unquote(link.get_attribute("href"))
    link.click()
    assert unquote(page.url).endswith(target)
    expect(page.locator(f'[id="{target[1:]}"]')).to_be_in_viewport()


def test_wide_tables_and_code_scroll_inside_the_article_on_a_phone(new_page, site):
    from tests.e2e.pages import ARTICLE_SLUG

    page = new_page("phone")
    page.goto(site.url(f"/articles/{ARTICLE_SLUG}/"))
    assert_fits_viewport(page)
    for selector in (".prose table", ".prose pre"):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{selector} stays inside the screen"


def test_skip_link_is_the_first_stop_for_keyboard_readers(page, site):
    page.goto(site.url("/"))
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    # Following the link is a navigation: wait for it rather than reading the URL at once.
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("#main")).to_be_in_viewport()
