"""Lighthouse scores and Core Web Vitals of three page types, phone and desktop, served the way
production serves them.

``make lighthouse`` runs this: a throwaway SQLite database and media folder with the demo
articles (their cover pictures made by the immediate task backend), ``collectstatic``
(whitenoise's compressed, hashed files), gunicorn on 127.0.0.1 with ``DJANGO_DEBUG`` off, then
npm's lighthouse@12 in Debian's headless Chromium, once per page and form factor:

- pages: the home page, an article with a cover image, an article with code and tables;
- form factors: ``phone`` (Lighthouse's default mobile profile: emulated Moto G Power, simulated
  slow 4G and 4× CPU slowdown) and ``desktop`` (``--preset=desktop``).

This machine reaches no host but its own, so the one off-site resource on these pages — the
thumbnail of a YouTube facade, from i.ytimg.com — could only fail here (a console error that a
connected reader never sees). Every ``https://`` address is therefore blocked with Lighthouse's
``--blocked-url-patterns`` (the site itself is plain http on 127.0.0.1; Lighthouse does not count
requests it blocked as console errors), and the blocked addresses are listed under the table.
``LIGHTHOUSE_BLOCK=""`` turns that off on a connected machine.

Targets: each of Performance, Accessibility, Best Practices and SEO ≥ LIGHTHOUSE_MIN (0.95);
in the phone profile CLS ≤ LIGHTHOUSE_MAX_CLS (0.02) and LCP ≤ LIGHTHOUSE_MAX_LCP_MS (1500).
Prints one table row per page and form factor, the audits that cost points, and exits 1 when a
target is missed. Reports (HTML and JSON) are written to artifacts/lighthouse/.
``--pages home,cover`` and ``--form-factors phone`` measure a subset.
"""

import argparse
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
# name → path on the demo content
PAGES = {
    "home": "/",
    "cover": "/articles/edge-ai-chips/",  # a cover image as the lead picture
    "code": "/articles/coding-agent-setup/",  # fenced code and tables, no cover
}
FORM_FACTORS = {"phone": [], "desktop": ["--preset=desktop"]}
BLOCK = [pattern for pattern in os.environ.get("LIGHTHOUSE_BLOCK", "https://*").split(",") if pattern]
MINIMUM = float(os.environ.get("LIGHTHOUSE_MIN", "0.95"))
MAX_CLS = float(os.environ.get("LIGHTHOUSE_MAX_CLS", "0.02"))
MAX_LCP_MS = float(os.environ.get("LIGHTHOUSE_MAX_LCP_MS", "1500"))
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


def run_lighthouse(name: str, url: str, flags: list[str], attempts: int = 3) -> dict:
    """One Lighthouse run; tried again when Lighthouse itself fails (on a busy machine it sometimes
    loses the trace: NO_NAVSTART, NO_FCP), never because of a score."""
    prefix = OUT / name
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output=html", f"--output-path={prefix}",
        f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES), *flags,
        *(f"--blocked-url-patterns={pattern}" for pattern in BLOCK),
    ]  # fmt: skip
    for attempt in range(1, attempts + 1):
        run = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROME}, timeout=300)
        if run.returncode == 0:
            return json.loads((OUT / f"{name}.report.json").read_text())
        print(f"  Lighthouse failed (attempt {attempt}/{attempts}, exit {run.returncode})", flush=True)
    raise SystemExit(f"Lighthouse failed {attempts} times on {url}")


def lost_points(report: dict, category: str) -> list[str]:
    audits = report["audits"]
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            value = audit.get("displayValue") or ""
            lines.append(f"    - {audit['id']} ({audit['score']:.2f}) {audit['title']} {value}".rstrip())
    return lines


def vitals(report: dict) -> dict:
    audits = report["audits"]
    return {
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
    }


def off_site(report: dict, base: str) -> list[str]:
    items = report["audits"]["network-requests"].get("details", {}).get("items", [])
    return sorted({item["url"] for item in items if not item["url"].startswith((base, "data:"))})


def misses(form_factor: str, scores: dict, measured: dict) -> list[str]:
    found = [f"{c} {scores[c]:.2f} < {MINIMUM}" for c in CATEGORIES if scores[c] is None or scores[c] < MINIMUM]
    if form_factor == "phone":
        if measured["cls"] > MAX_CLS:
            found.append(f"CLS {measured['cls']:.3f} > {MAX_CLS}")
        if measured["lcp"] > MAX_LCP_MS:
            found.append(f"LCP {measured['lcp']:.0f} ms > {MAX_LCP_MS:.0f} ms")
    return found


def serve_and_measure(pages: dict, form_factors: list[str]) -> dict:
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
            # The demo's cover pictures: made at once while loading, served by Django as `make serve` does.
            "DJANGO_MEDIA_ROOT": f"{tmp}/media",
            "DJANGO_SERVE_MEDIA": "1",
            "DJANGO_TASKS_BACKEND": "immediate",
            "DJANGO_ALLOW_LOCAL_SERVICES": "1",
            "DJANGO_SITE_URL": base,
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)  # each worker's own memory cache: nothing shared with other runs
        manage = [PYTHON, str(REPO / "manage.py")]
        print("Loading the demo content and collecting static files…", flush=True)
        for command in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput"]):
            subprocess.run(manage + command, check=True, env=env, cwd=REPO, stdout=subprocess.DEVNULL)
        log = (OUT / "server.log").open("w")  # gunicorn.conf.py's access log: kept out of the table
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for path in pages.values():  # warm each worker's caches: the first visit is not what readers get
                for _ in range(4):
                    wait_for(base + path)
            reports = {}
            for name, path in pages.items():
                for form_factor in form_factors:
                    print(f"Lighthouse: {name} ({form_factor}) {path}", flush=True)
                    reports[name, form_factor] = run_lighthouse(f"{name}-{form_factor}", base + path, FORM_FACTORS[form_factor])
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    return reports, base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated subset of {', '.join(PAGES)}")
    parser.add_argument("--form-factors", default=",".join(FORM_FACTORS), help="phone, desktop or both")
    args = parser.parse_args()
    pages = {name: PAGES[name] for name in args.pages.split(",")}
    form_factors = args.form_factors.split(",")
    if not LIGHTHOUSE.exists():
        raise SystemExit("node_modules/.bin/lighthouse is missing: run `npm ci` (make lighthouse does)")
    OUT.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    reports, base = serve_and_measure(pages, form_factors)
    load_after = os.getloadavg()

    version = next(iter(reports.values()))["lighthouseVersion"]
    print(f"\nLighthouse {version}; scores ≥ {MINIMUM}; phone: CLS ≤ {MAX_CLS}, LCP ≤ {MAX_LCP_MS:.0f} ms")
    # Simulated throttling scales the CPU time Chromium measured: a busy machine shows in the numbers.
    print(f"Load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} CPUs")
    header = f"{'page':<8}{'device':<9}" + "".join(f"{c:>16}" for c in CATEGORIES) + f"{'CLS':>8}{'LCP ms':>8}{'TBT ms':>8}  result"
    print(header)
    failures = {}
    for (name, form_factor), report in reports.items():
        scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
        measured = vitals(report)
        missed = misses(form_factor, scores, measured)
        row = f"{name:<8}{form_factor:<9}" + "".join(f"{scores[c]:>16.2f}" for c in CATEGORIES)
        row += f"{measured['cls']:>8.3f}{measured['lcp']:>8.0f}{measured['tbt']:>8.0f}  {'FAIL' if missed else 'ok'}"
        print(row)
        if missed:
            failures[name, form_factor] = (missed, report, scores)
    blocked = sorted({url for report in reports.values() for url in off_site(report, base)})
    if blocked:
        print(f"Off-site requests (blocked: {', '.join(BLOCK) or 'none'}):")
        print("\n".join(f"  {url}" for url in blocked))
    for (name, form_factor), (missed, report, scores) in failures.items():
        print(f"\n{name} ({form_factor}): {'; '.join(missed)}")
        for category in CATEGORIES:
            if scores[category] < 1:
                print(f"  {category}:")
                print("\n".join(lost_points(report, category)) or "    (no weighted audit below 1)")
    print(f"\nReports: {OUT.relative_to(REPO)}/<page>-<device>.report.html")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
