"""axe-core finds no violations on any public page type, at both widths, light and dark, and on an
article that uses every construct of the writers' guide."""

import json

from tests.e2e.pages import DARK_SCREENSHOTS, create_guide_article, public_pages

SCHEMES = ("light", "dark")


def inject_axe(page, node_modules):
    # Evaluated through the DevTools protocol: the site's CSP (script-src 'self') rightly
    # refuses an injected inline <script>, and the test must not weaken it.
    page.evaluate((node_modules / "axe-core" / "axe.min.js").read_text())
    assert page.evaluate("typeof window.axe") == "object"


def axe_violations(page, node_modules):
    inject_axe(page, node_modules)
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )


def draw_diagrams(page):
    """Mermaid is fetched as a diagram nears the screen: bring each one there and wait for it."""
    diagrams = page.locator(".prose pre.mermaid")
    for index in range(diagrams.count()):
        diagrams.nth(index).scroll_into_view_if_needed()
        diagrams.nth(index).locator("svg").wait_for()
    page.evaluate("window.scrollTo(0, 0)")


def test_axe_finds_no_violations_on_any_public_page(page, site, node_modules, screenshot):
    found = {}
    for name, path in public_pages().items():
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.goto(site.url(path))
            draw_diagrams(page)
            if scheme == "light":
                screenshot(page, name)
            elif name in DARK_SCREENSHOTS:
                screenshot(page, name, scheme="dark")
            violations = axe_violations(page, node_modules)
            if violations:
                found[f"{name} ({scheme}) {path}"] = violations
    assert not found, "axe-core violations:\n" + json.dumps(found, ensure_ascii=False, indent=1)


def test_axe_finds_no_violations_on_an_article_whose_body_is_the_writers_guide(new_page, site, node_modules, screenshot):
    path = create_guide_article()
    found = {}
    for viewport in ("phone", "desktop"):
        page = new_page(viewport)
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.goto(site.url(path))
            draw_diagrams(page)
            for selector in (
                ".prose .code-copy", ".prose [role=note]", ".prose details", ".prose math",
                ".prose a.youtube-facade", ".prose .embed-card", ".prose table", ".prose .footnote",
                ".prose .task-list-item-checkbox", ".prose figcaption",
            ):  # fmt: skip
                assert page.locator(selector).count(), f"{selector} missing from the guide article"
            screenshot(page, "guide-article", scheme=scheme)
            violations = axe_violations(page, node_modules)
            if violations:
                found[f"{viewport} {scheme}"] = violations
    assert not found, "axe-core violations:\n" + json.dumps(found, ensure_ascii=False, indent=1)


def test_printed_article_is_dark_on_white_without_navigation_even_in_dark_mode(new_page, site, node_modules):
    from tests.e2e.pages import ARTICLE_SLUG

    page = new_page("desktop")
    page.emulate_media(media="print", color_scheme="dark")
    page.goto(site.url(f"/articles/{ARTICLE_SLUG}/"))
    for hidden in (".site-header", ".toc", ".site-footer", ".related"):
        assert not page.locator(hidden).is_visible(), f"{hidden} is not printed"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    inject_axe(page, node_modules)
    contrast = page.evaluate(
        """async () => (await axe.run(document, {runOnly: ["color-contrast"]})).violations
            .flatMap(v => v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary))"""
    )
    assert not contrast, "\n".join(contrast)
