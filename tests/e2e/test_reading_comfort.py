"""Reading on a phone and a desktop: sharing, the table of contents, the progress bar, and pages
that fit the screen."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import ARTICLE_SLUG, INDEX_PAGES, public_pages
from tests.e2e.test_reader_flows import assert_fits_viewport

ARTICLE = f"/articles/{ARTICLE_SLUG}/"


def test_copy_link_copies_the_address_and_says_so(new_page, site, viewport):
    page = new_page(viewport, permissions=["clipboard-read", "clipboard-write"])
    page.goto(site.url(ARTICLE))
    status = page.locator("[data-copy-status]")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("")
    copy = page.get_by_role("link", name="リンクをコピー")
    before, address = page.evaluate("document.documentElement.scrollHeight"), page.url
    copy.click()
    expect(status).to_have_text("リンクをコピーしました")
    expect(status).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert page.url == address, "the click copied instead of following the link"
    # The confirmation has its line reserved: nothing below it moved.
    assert page.evaluate("document.documentElement.scrollHeight") == before


def test_copy_link_is_a_plain_link_to_the_article_without_javascript(new_page, site):
    page = new_page("phone", java_script_enabled=False)
    page.goto(site.url(ARTICLE))
    copy = page.get_by_role("link", name="リンクをコピー")
    assert copy.get_attribute("href") == page.url
    copy.click()
    expect(page).to_have_url(page.url)
    expect(page.locator("h1")).to_be_visible()


def test_share_links_load_nothing_from_other_sites(new_page, site, viewport):
    page = new_page(viewport)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(site.url(ARTICLE))
    page.locator(".share").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert hosts == {urlsplit(site.live_url).netloc}
    for name, host in [("X", "x.com"), ("はてなブックマーク", "b.hatena.ne.jp"), ("LINE", "social-plugins.line.me"), ("Facebook", "www.facebook.com")]:
        link = page.locator(".share").get_by_role("link", name=re.compile("^" + name))
        assert urlsplit(link.get_attribute("href")).netloc == host


def current_toc_entries(page):
    return page.locator('.toc a[aria-current="location"]').all_inner_texts()


# The section being read: the last heading that starts in the top quarter of the screen or above.
READ_SECTION = """() => {
    const above = [...document.querySelectorAll(".article__body :is(h2, h3, h4)[id]")]
        .filter(h => h.getBoundingClientRect().top <= innerHeight / 4);
    return above.length ? above[above.length - 1].firstChild.textContent.trim() : null;
}"""


def test_the_table_of_contents_marks_the_section_being_read(new_page, site, viewport):
    page = new_page(viewport)
    page.goto(site.url(ARTICLE))
    headings = page.locator(".article__body h2")
    seen = []
    for index in (1, headings.count() - 2, 0):  # down, further down, and back up
        headings.nth(index).evaluate("h => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 40)")
        expected = page.evaluate(READ_SECTION)
        expect(page.locator('.toc a[aria-current="location"]')).to_have_text(expected)
        assert current_toc_entries(page) == [expected], "exactly one entry is current"
        seen.append(expected)
    assert len(set(seen)) == 3, "the mark moved with the reader"
    # At the very end the last section is the one being read, however short it is.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = page.locator(".article__body :is(h2, h3, h4)[id]").last.evaluate("h => h.firstChild.textContent.trim()")
    expect(page.locator('.toc a[aria-current="location"]')).to_have_text(last)


def test_reading_aids_cause_no_layout_shift_and_respect_reduced_motion(new_page, site):
    page = new_page("desktop", reduced_motion="reduce")
    page.goto(site.url(ARTICLE))
    page.evaluate(
        """() => { window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
           if (!e.hadRecentInput) window.__shift += e.value; }).observe({type: "layout-shift", buffered: true}); }"""
    )
    for fraction in (0.25, 0.5, 0.75, 1):
        page.evaluate(f"window.scrollTo(0, document.documentElement.scrollHeight * {fraction})")
        page.wait_for_timeout(150)
    assert page.evaluate("window.__shift") == 0
    assert page.locator(".toc a").first.evaluate("a => getComputedStyle(a).transitionDuration") == "0s"


def progress(page) -> float:
    return page.locator(".reading-progress__bar").evaluate("bar => new DOMMatrix(getComputedStyle(bar).transform).a")


def test_a_thin_progress_bar_follows_the_reading_and_is_hidden_from_screen_readers(new_page, site, viewport):
    page = new_page(viewport)
    page.goto(site.url(ARTICLE))
    track = page.locator(".reading-progress")
    expect(track).to_have_attribute("aria-hidden", "true")
    assert track.evaluate("t => getComputedStyle(t).position") == "fixed"
    assert track.bounding_box()["height"] <= 4
    assert progress(page) == 0
    body = page.locator(".article__body")
    body.evaluate("b => window.scrollTo(0, b.getBoundingClientRect().top + window.scrollY + b.offsetHeight / 2 - innerHeight / 2)")
    page.wait_for_function("() => { const a = new DOMMatrix(getComputedStyle(document.querySelector('.reading-progress__bar')).transform).a; return a > 0.3 && a < 0.7; }")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("() => new DOMMatrix(getComputedStyle(document.querySelector('.reading-progress__bar')).transform).a === 1")


@pytest.mark.parametrize("name", ["home", "article", *INDEX_PAGES])
def test_pages_fit_a_phone_screen_without_sideways_scrolling(new_page, site, name):
    page = new_page("phone")
    page.goto(site.url(public_pages()[name]))
    assert_fits_viewport(page)


def test_table_cells_break_between_words_not_inside_them(new_page, site):
    page = new_page("phone")
    page.goto(site.url(ARTICLE))
    lines = page.evaluate(
        """() => { const cell = [...document.querySelectorAll(".prose td")].find(td => td.textContent.trim() === "入力トークン");
           const range = document.createRange(); range.selectNodeContents(cell);
           return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""
    )
    assert lines == 1, "「入力トークン」 sits on one line of its cell"
    table = page.locator(".prose table").first.bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= 390


def test_every_category_menu_item_is_on_screen_on_a_phone(new_page, site):
    page = new_page("phone")
    page.goto(site.url("/"))
    menu = page.get_by_role("navigation", name="カテゴリー")
    expect(menu.get_by_role("link", name="アーカイブ")).to_be_in_viewport(ratio=1)
    for link in menu.get_by_role("link").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, link.inner_text()


def test_card_metadata_never_leaves_a_character_alone_on_a_line(new_page, site, viewport):
    page = new_page(viewport)
    page.goto(site.url("/"))
    broken = page.evaluate(
        """() => [...document.querySelectorAll(".card .meta .nowrap")]
             .filter(part => new Set([...part.getClientRects()].map(r => Math.round(r.top))).size > 1)
             .map(part => part.textContent)"""
    )
    assert page.locator(".card .meta .nowrap", has_text="分で読めます").count() >= 9
    assert broken == [], "a date, category or 「…分で読めます」 is split across lines"


def test_the_footer_meets_the_bottom_of_the_screen_on_a_short_page(new_page, site, viewport):
    page = new_page(viewport)
    page.goto(site.url("/search/"))
    height = page.viewport_size["height"]
    assert page.evaluate("document.documentElement.scrollHeight") <= height + 1, "a page shorter than the screen"
    bottom = page.locator(".site-footer").evaluate("f => f.getBoundingClientRect().bottom")
    assert abs(bottom - height) <= 1, f"the footer ends {height - bottom:.0f}px above the bottom"
