"""Lighthouse scores of the home page and an article, served the way production serves them.

``make lighthouse`` runs this: a throwaway SQLite database with the demo articles,
``collectstatic`` (whitenoise's compressed, hashed files), gunicorn on 127.0.0.1 with
``DJANGO_DEBUG`` off, then npm's lighthouse@12 in Debian's headless Chromium (Lighthouse's
default mobile emulation and simulated throttling). Prints the four category scores per
page and the audits that cost points; exits 1 when a score is under LIGHTHOUSE_MIN (0.95).
Reports (HTML and JSON) are written to artifacts/lighthouse/.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {"home": "/", "article": "/articles/llm-inference-cost/"}
MINIMUM = float(os.environ.get("LIGHTHOUSE_MIN", "0.95"))
OUT = REPO / "artifacts" / "lighthouse"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer on {url} within {seconds:.0f}s")
            time.sleep(0.3)


def run_lighthouse(name: str, url: str) -> dict:
    prefix = OUT / name
    subprocess.run(
        [
            str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output=html", f"--output-path={prefix}",
            f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES),
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": CHROME},
        timeout=300,
    )
    return json.loads((OUT / f"{name}.report.json").read_text())


def lost_points(report: dict, category: str) -> list[str]:
    audits = report["audits"]
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            value = audit.get("displayValue") or ""
            lines.append(f"    - {audit['id']} ({audit['score']:.2f}) {audit['title']} {value}".rstrip())
    return lines


def main() -> int:
    if not LIGHTHOUSE.exists():
        raise SystemExit("node_modules/.bin/lighthouse is missing: run `npm ci` (make lighthouse does)")
    OUT.mkdir(parents=True, exist_ok=True)
    port = int(os.environ.get("LIGHTHOUSE_PORT") or free_port())
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="allforces-lighthouse-") as tmp:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "lighthouse-run-only-not-a-real-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_COOKIES": "0",
            # Plain http on 127.0.0.1, as `make serve`: no redirect to an https that is not there.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{tmp}/lighthouse.sqlite3",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        manage = [PYTHON, str(REPO / "manage.py")]
        for command in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput"]):
            subprocess.run(manage + command, check=True, env=env, cwd=REPO, stdout=subprocess.DEVNULL)
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
            env=env,
            cwd=REPO,
        )
        try:
            wait_for(base + "/")
            reports = {name: run_lighthouse(name, base + path) for name, path in PAGES.items()}
        finally:
            server.terminate()
            server.wait(timeout=30)

    failed = False
    print(f"\nLighthouse {reports['home']['lighthouseVersion']} (mobile emulation), minimum {MINIMUM}")
    print(f"{'page':<10}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, report in reports.items():
        scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
        print(f"{name:<10}" + "".join(f"{scores[c]:>16.2f}" for c in CATEGORIES))
        for category in CATEGORIES:
            if scores[category] < 1:
                print(f"  {name} / {category}:")
                print("\n".join(lost_points(report, category)) or "    (no weighted audit below 1)")
            failed |= scores[category] < MINIMUM
    print(f"Reports: {OUT.relative_to(REPO)}/{{home,article}}.report.html")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
