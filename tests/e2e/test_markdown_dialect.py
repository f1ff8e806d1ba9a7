"""The Zenn/Qiita dialect in a real browser, under the site's own CSP header.

The demo article ``coding-agent-setup`` uses every construct of the writers' guide: code
fences with file labels and copy buttons, a diff fence, asides, details, MathML, a sized
image with a caption, a mermaid diagram, a YouTube facade and link cards.
"""

import json

import pytest

from tests.e2e.test_accessibility import SCHEMES, axe_violations

SLUG = "coding-agent-setup"


@pytest.fixture
def article_url(site):
    return site.url(f"/articles/{SLUG}/")


def collect_problems(page):
    problems = []
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_copy_button_copies_the_code_and_is_reachable_by_keyboard(new_page, article_url, live_server):
    from playwright.sync_api import expect

    page = new_page("desktop")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(article_url)
    block = page.locator(".prose .code-block", has_text="ALLOWED_COMMANDS").first
    button = block.locator("button.code-copy")
    expect(button).to_have_accessible_name("コードをコピー")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('code-copy')"):
            break
    else:
        pytest.fail("no copy button is reachable with Tab")
    page.keyboard.press("Enter")
    # The page has two live regions: the code blocks' and the share list's copy confirmation.
    expect(page.get_by_role("status").filter(has_text="コードをコピーしました")).to_have_count(1)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == block.locator("pre code").text_content()
    assert "ALLOWED_COMMANDS" in copied and "コピー" not in copied


def test_youtube_facade_loads_the_nocookie_player_only_on_click(new_page, article_url):
    from playwright.sync_api import expect

    page = new_page("phone")
    # No network: the player and its thumbnail are refused before they leave the browser.
    page.route("https://*.youtube-nocookie.com/**", lambda route: route.abort())
    page.route("https://*.ytimg.com/**", lambda route: route.abort())
    page.goto(article_url)
    facade = page.locator(".prose a.youtube-facade")
    expect(facade).to_be_visible()
    assert facade.locator("img").count() == 1
    assert page.locator(".prose iframe").count() == 0
    facade.click()
    iframe = page.locator(".prose iframe")
    expect(iframe).to_have_count(1)
    assert iframe.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    expect(facade).to_have_count(0)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_mermaid_diagram_renders_an_svg_under_the_sites_csp(new_page, article_url, scheme):
    from playwright.sync_api import expect

    page = new_page("desktop")
    page.emulate_media(color_scheme=scheme)
    problems = collect_problems(page)
    response = page.goto(article_url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".prose pre.mermaid").scroll_into_view_if_needed()  # mermaid is fetched as it nears the screen
    expect(page.locator(".prose .mermaid svg")).to_have_count(1)
    expect(page.locator(".prose .mermaid svg")).to_contain_text("ツール実行")
    page.wait_for_load_state("networkidle")
    csp = [text for text in problems if "Content Security Policy" in text or "Refused" in text]
    assert not csp, "\n".join(csp)
    assert not [text for text in problems if "mermaid" in text.lower() or "Error" in text], problems


def test_mermaid_is_fetched_only_as_the_diagram_nears_the_screen_and_moves_nothing_in_view(new_page, article_url):
    """On a phone the diagram is further down than the first screen: mermaid's 3.5 MB are not
    fetched for a reader who stays at the top, and drawing it shifts nothing on screen."""
    from playwright.sync_api import expect

    page = new_page("phone")
    fetched = []
    page.on("request", lambda request: "mermaid.min" in request.url and fetched.append(request.url))
    page.goto(article_url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('.prose pre.mermaid').getBoundingClientRect().top") > 844 * 1.25
    assert fetched == [] and page.locator(".prose .mermaid svg").count() == 0
    page.evaluate(
        """() => { window.__shift = 0; new PerformanceObserver(list => { for (const entry of list.getEntries())
            if (!entry.hadRecentInput) window.__shift += entry.value; }).observe({type: "layout-shift"}); }"""
    )
    # Reading on: the diagram's top a tenth of a screen below the bottom edge, still unseen.
    page.evaluate("window.scrollBy(0, document.querySelector('.prose pre.mermaid').getBoundingClientRect().top - innerHeight * 1.1)")
    expect(page.locator(".prose .mermaid svg")).to_have_count(1)
    assert len(fetched) == 1
    page.locator(".prose .mermaid svg").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__shift") < 0.02


def test_axe_finds_no_violations_on_the_article_using_every_construct(new_page, article_url, node_modules, screenshot):
    found = {}
    for viewport in ("phone", "desktop"):
        page = new_page(viewport)
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.goto(article_url)
            page.locator(".prose pre.mermaid").scroll_into_view_if_needed()  # mermaid is fetched as it nears the screen
            page.locator(".prose .mermaid svg").wait_for()
            for selector in (".prose .code-copy", ".prose a.youtube-facade", ".prose details", ".prose math", ".prose figcaption"):
                assert page.locator(selector).count(), f"{selector} missing from the demo article"
            screenshot(page, "dialect-article", scheme=scheme)
            violations = axe_violations(page, node_modules)
            if violations:
                found[f"{viewport} {scheme}"] = violations
    assert not found, "axe-core violations:\n" + json.dumps(found, ensure_ascii=False, indent=1)
