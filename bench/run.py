"""`make bench`: throughput, latency, SQL queries and memory of the production setup.

    make bench                                   # 10,000 articles, SQLite (bench/results/bench.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/allforces_bench make bench
    make bench BENCH_ARGS="--articles 500 --duration 5 --soak-duration 10"

Generates the data set (bench/generate.py, skipped when already there), migrates and runs
collectstatic, then for each mode — ``uncached`` (page cache off; card fragments, list counts,
search counts and result ids and the navigation still kept under the content version), ``cached`` (page cache on: Redis with
REDIS_URL, else each worker's local memory) and, if asked, ``nocache`` (both off) — starts gunicorn with the repository's
gunicorn.conf.py (2 workers, 127.0.0.1 only), drives every URL with wrk at --connections and
reports requests/s, p50/p99 latency, errors, SQL queries per request (counted in-process with
Django's test client) and the workers' peak RSS. Finally a mixed run at --soak-connections
(64) for --soak-duration seconds (60) against the uncached server must show zero errors.
The ``search`` mode then runs bench/search_cost.py: new (never remembered) searches of 1, 2 and
5 terms from --connections processes at once, and the cost of saving a 6,000-character article.
Results: printed, and written to bench/results/. Every process started is stopped.
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, RESULTS, ROOT, Gunicorn, ensure_wrk, production_env, run, wrk  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL and mode")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--soak-connections", type=int, default=64)
    parser.add_argument("--soak-duration", type=int, default=60, help="0 skips the mixed run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument(
        "--modes",
        default="uncached,cached,search",
        help="uncached: page cache off (fragments kept); cached: page cache on; nocache: both off; "
        "search: new searches of 1, 2 and 5 terms at --connections and the cost of a save (bench/search_cost.py)",
    )
    parser.add_argument("--search-duration", type=int, default=20, help="seconds per term count in the search mode")
    parser.add_argument("--saves", type=int, default=30, help="articles saved to measure the indexing cost")
    parser.add_argument("--replace", action="store_true", help="replace a benchmark data set of another size")
    return parser.parse_args(argv)


def database_url(articles: int) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    RESULTS.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{RESULTS / f'bench-{articles}.sqlite3'}"


def prepare(env: dict, articles: int, replace: bool = False) -> None:
    print(f"== preparing {env['DATABASE_URL']} ({articles} articles)", flush=True)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([PYTHON, "bench/generate.py", "--articles", str(articles), *(["--replace"] if replace else [])], env)


def quote(path: str) -> str:
    return urllib.parse.quote(path, safe="/?=&%")


def discover_urls_and_queries(env: dict) -> tuple[dict, dict]:
    """Pick the URLs and count SQL queries per request, in this process with the same settings."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.templatetags.static import static
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench.generate import SEARCH_LONG, SEARCH_SHORT
    from blog.models import Article, Tag

    published = Article.objects.published()
    article = published.order_by("pk")[published.count() // 2]
    tag = Tag.objects.annotate(n=Count("tagged_articles")).order_by("-n", "pk").first()
    urls = {
        "home /": "/",
        "article": article.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        f"search {len(SEARCH_SHORT)} chars": f"/search/?q={SEARCH_SHORT}",
        f"search {len(SEARCH_LONG)} chars": f"/search/?q={SEARCH_LONG}",
        "feed /feed/": "/feed/",
        "static css": static("css/site.css"),
    }
    urls = {name: quote(path) for name, path in urls.items()}
    client = Client(HTTP_HOST="127.0.0.1")
    queries = {}
    for name, path in urls.items():
        # len() right away: captured queries are read lazily and the next request resets the log.
        with override_settings(PAGE_CACHE_SECONDS=0, FRAGMENT_CACHE_SECONDS=0):
            with CaptureQueriesContext(connection) as captured:
                status = client.get(path).status_code
        nocache = len(captured)
        with override_settings(PAGE_CACHE_SECONDS=0):
            client.get(path)  # fragments (cards, counts, navigation) kept
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
        uncached = len(captured)
        cache.clear()
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries[name] = {"status": status, "nocache": nocache, "uncached": uncached, "cached": len(captured)}
    return urls, queries


def lua_script(paths: list[str]) -> str:
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    listed = ", ".join(json.dumps(p) for p in paths)
    handle.write(
        f"paths = {{{listed}}}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(\"GET\", paths[i])\nend\n"
    )
    handle.close()
    return handle.name


def fmt(value, digits=1):
    return "—" if value != value else f"{value:.{digits}f}"  # NaN → dash


def report(meta, queries, results, soak) -> str:
    lines = [
        f"# make bench — {meta['when']}",
        "",
        f"`{meta['command']}`  ",
        f"database: `{meta['database']}`, cache: `{meta['cache']}`, {meta['articles']} articles, "
        f"{meta['workers']} gunicorn workers, wrk {meta['connections']} connections × {meta['duration']} s per URL",
        "",
        "| mode | URL | status | req/s | p50 ms | p99 ms | errors | SQL/request | peak worker RSS MB |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mode, by_url in results.items():
        for name, result in by_url["urls"].items():
            q = queries[name]
            lines.append(
                f"| {mode} | {name} | {q['status']} | {fmt(result['rps'], 0)} | {fmt(result['p50_ms'], 2)} | "
                f"{fmt(result['p99_ms'], 2)} | {result['errors']} | {q[mode]} | {by_url['peak_rss_mb']:.0f} |"
            )
    if soak:
        lines += [
            "",
            f"Mixed run (pages and searches, uncached) at {soak['connections']} connections for {soak['duration']} s: "
            f"{soak['requests']} requests, {fmt(soak['rps'], 0)} req/s, p50 {fmt(soak['p50_ms'], 2)} ms, "
            f"p99 {fmt(soak['p99_ms'], 2)} ms, **{soak['errors']} errors**, peak worker RSS {soak['peak_rss_mb']:.0f} MB.",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    wrk_binary = ensure_wrk()
    env = production_env(database_url(args.articles))
    prepare(env, args.articles, args.replace)
    urls, queries = discover_urls_and_queries(env)
    results, soak = {}, None
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for mode in [m for m in modes if m != "search"]:
        page_cache = "600" if mode == "cached" else "0"
        fragment_cache = "0" if mode == "nocache" else "600"
        server = Gunicorn(
            {**env, "DJANGO_PAGE_CACHE_SECONDS": page_cache, "DJANGO_FRAGMENT_CACHE_SECONDS": fragment_cache},
            args.port,
            args.workers,
        )
        with server:
            print(f"== {mode}: gunicorn on {server.base_url}", flush=True)
            server.sample_rss()
            by_url = {}
            for name, path in urls.items():
                # Warm both workers (connections; their caches in local memory, or Redis).
                wrk(wrk_binary, server.base_url + path, connections=2, duration=1)
                result = wrk(wrk_binary, server.base_url + path, connections=args.connections, duration=args.duration)
                by_url[name] = result
                print(
                    f"  {name:18} {result['rps']:9.0f} req/s  p50 {fmt(result['p50_ms'], 2):>8} ms  "
                    f"p99 {fmt(result['p99_ms'], 2):>8} ms  errors {result['errors']}",
                    flush=True,
                )
            if mode == "uncached" and args.soak_duration > 0:
                pages = [p for n, p in urls.items() if n != "static css" and queries[n]["status"] == 200]
                script = lua_script(pages)
                try:
                    soak = wrk(
                        wrk_binary, server.base_url, connections=args.soak_connections,
                        duration=args.soak_duration, script=script,
                    )
                finally:
                    os.unlink(script)
                soak.update(connections=args.soak_connections, duration=args.soak_duration)
                print(f"  mixed @{args.soak_connections}: {soak['rps']:.0f} req/s, errors {soak['errors']}", flush=True)
            server.stop_sampling()
            peak = server.peak_rss_kb / 1024
            results[mode] = {"urls": by_url, "peak_rss_mb": peak}
            if soak is not None and "peak_rss_mb" not in soak:
                soak["peak_rss_mb"] = peak
    if "search" in modes:
        # In-process, nothing remembered: the page cache plays no part (bench/search_cost.py).
        print(f"== search: new searches at {args.connections} connections", flush=True)
        run(
            [PYTHON, "bench/search_cost.py", "--connections", str(args.connections),
             "--duration", str(args.search_duration), "--save", str(args.saves)],
            env,
        )
    meta = {
        "when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["python bench/run.py", *(argv or sys.argv[1:])]),
        "database": env["DATABASE_URL"].split("@")[-1],
        "cache": "redis" if env.get("REDIS_URL") else "local memory (per worker)",
        "articles": args.articles,
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
    }
    text = report(meta, queries, results, soak)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"bench-{stamp}.md").write_text(text)
    for by_url in results.values():
        for result in by_url["urls"].values():
            result.pop("raw", None)
    if soak:
        soak.pop("raw", None)
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps({"meta": meta, "queries": queries, "results": results, "soak": soak}, indent=2, ensure_ascii=False))
    print()
    print(text)
    print(f"written to {RESULTS}/bench-{stamp}.md")


if __name__ == "__main__":
    main()
