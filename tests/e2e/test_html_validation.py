"""The HTML of every public page type, and of an article that uses every Markdown construct, as the
server sends it, passes the Nu HTML checker."""

import json
import subprocess
import urllib.error
import urllib.request
from urllib.parse import quote

from tests.e2e.conftest import ARTIFACTS, require
from tests.e2e.pages import create_guide_article, public_pages


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:  # the 404 page is a page type too
        return error.code, error.read()


def test_every_public_page_type_is_valid_html(site, node_modules, java):
    vnu = require(node_modules / "vnu-jar" / "build" / "dist" / "vnu.jar", "run `npm ci` (or `make e2e`)")
    folder = ARTIFACTS / "html"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    pages = {**public_pages(), "guide-article": create_guide_article()}  # every Markdown construct
    for name, path in pages.items():
        status, body = fetch(site.url(quote(path, safe="/?=&%")))
        assert status == (404 if name == "404" else 200), f"{path} answered {status}"
        file = folder / f"{name}.html"
        file.write_bytes(body)
        files.append(file)

    # One JVM for every file: vnu takes seconds to start.
    run = subprocess.run(
        [java, "-jar", str(vnu), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()}]"
        for m in messages
    ]
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)
    assert run.returncode == 0, run.stderr
