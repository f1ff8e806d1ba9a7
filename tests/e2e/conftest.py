"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Run them with ``make e2e``: it installs Chromium, the Japanese fonts and ``node_modules``
(axe-core, vnu-jar) first. Nothing here skips: a missing browser or tool is a failure that
says how to install it.

Fixtures for later browser tests (the admin's editor flows belong in
``tests/e2e/test_editor_flows.py``): ``browser`` (one Chromium per session),
``new_page(viewport, **context_options)`` for pages in fresh contexts (one per reader or
editor), ``site`` (demo content on the live server) and ``screenshot(page, name)``.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
# Without the networking switches Chromium keeps dialling Google's services, which this
# machine's closed network refuses; the sandbox needs user namespaces CI does not give root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


def require(path: Path, how: str) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: {how}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM, "run `make e2e`, which installs Debian's chromium and fonts-noto-cjk")
    from playwright.sync_api import expect, sync_playwright

    # expect()'s own default is 5 s; the admin's live preview waits 0.5 s before asking the
    # server, and this shared 2-core machine is sometimes busy: wait as long as actions do.
    expect.set_options(timeout=15_000)

    # Playwright's sync API runs an event loop in the test thread, and Django then refuses
    # ORM calls from it unless told this is deliberate (it is: the tests are synchronous).
    # Set here, not at import, so the rest of the suite keeps Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (no shared cookies); closed after the test."""
    contexts = []

    def open_page(viewport="desktop", **options):
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP", timezone_id="Asia/Tokyo", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.viewport_name = viewport
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(new_page, viewport):
    return new_page(viewport)


@pytest.fixture(scope="session")
def screenshot():
    """Save a full-page PNG under artifacts/screenshots/, named by page and viewport.

    The folder is emptied first, so it always shows the last run."""
    folder = ARTIFACTS / "screenshots"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)

    def take(page, name, *, scheme=""):
        suffix = f"-{scheme}" if scheme else ""
        path = folder / f"{name}-{page.viewport_name}{suffix}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@dataclass
class Site:
    live_url: str

    def url(self, path: str) -> str:
        return self.live_url + path


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads and the demo's pictures go to a throwaway folder, served by Django as ``make serve``
    does (DJANGO_SERVE_MEDIA)."""
    settings.MEDIA_ROOT = tmp_path
    settings.SERVE_MEDIA = True
    return tmp_path


@pytest.fixture
def site(live_server, transactional_db, media_root):
    """The Japanese demo articles, with their cover pictures, served by the live server."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    return Site(live_server.url)


@pytest.fixture(scope="session")
def node_modules():
    return require(REPO / "node_modules", "run `make e2e` (it runs `npm ci` for axe-core and vnu-jar)")


@pytest.fixture(scope="session")
def java():
    found = shutil.which("java")
    if not found:
        pytest.fail("java is missing: `make e2e` installs openjdk-17-jre-headless", pytrace=False)
    return found
