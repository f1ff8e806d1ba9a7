"""`make bench`: throughput, latency, SQL queries and memory of the production setup.

    make bench                                   # 10,000 articles, SQLite (bench/results/bench-10000.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/allforces_bench make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/allforces_bench_{articles} REDIS_URL=redis://127.0.0.1:6379/0 \
        make bench BENCH_ARGS="--articles 1000,10000"
    make bench BENCH_ARGS="--articles 500 --duration 5 --soak-duration 0"
    make bench BENCH_ARGS="--newsroom --articles 1000"       # bench/newsroom.py (needs REDIS_URL)

Generates the data set (bench/generate.py, skipped when already there), migrates and runs
collectstatic, then for each mode (MODES below: every cache off; fragments only; page cache in
each worker's local memory; page cache in Redis) starts gunicorn with the repository's
gunicorn.conf.py (2 sync workers, 127.0.0.1 only), drives every URL with wrk -t2 at
--connections (16) and reports requests/s, p50/p99 latency, errors, SQL queries per request
(counted in-process with Django's test client) and the workers' peak RSS; the whitenoise CSS
file is the static-file reference, measured in every mode. Finally a mixed run at
--soak-connections (64) for --soak-duration seconds against the fragments-only server must
show zero errors. Several sizes (``--articles 1000,10000``) run one after the other, each in its
own database: ``{articles}`` in DATABASE_URL is replaced by the size (a PostgreSQL database
that does not exist yet is created). Results: printed, and written to bench/results/. Every
process started is stopped.
"""

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, RESULTS, ROOT, Gunicorn, ensure_wrk, production_env, run, wrk  # noqa: E402

# name → (page cache seconds, fragment seconds, cache backend, which query count applies)
MODES = {
    "nocache": {"page": 0, "fragments": 0, "backend": "as configured", "queries": "nocache",
                "label": "every cache off"},
    "fragments": {"page": 0, "fragments": 600, "backend": "as configured", "queries": "fragments",
                  "label": "fragments only"},
    "page-locmem": {"page": 600, "fragments": 600, "backend": "locmem", "queries": "cached",
                    "label": "page cache, local memory"},
    "page-redis": {"page": 600, "fragments": 600, "backend": "redis", "queries": "cached",
                   "label": "page cache, Redis"},
}  # fmt: skip


def sizes(text: str) -> list[int]:
    values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError("give one or more positive sizes, e.g. 1000 or 1000,10000")
    return values


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=sizes, default=[10_000], help="data set size(s), comma-separated")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per URL and mode (10); newsroom: per run (60)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--soak-connections", type=int, default=64)
    parser.add_argument("--soak-duration", type=int, default=60, help="0 skips the mixed run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument(
        "--modes",
        default=None,
        help=f"comma-separated, of {', '.join(MODES)}; default all (page-redis only with REDIS_URL)",
    )
    parser.add_argument("--replace", action="store_true", help="replace a benchmark data set of another size")
    parser.add_argument("--results-json", help=argparse.SUPPRESS)  # one size of a multi-size run
    newsroom = parser.add_argument_group("newsroom mode (bench/newsroom.py)")
    newsroom.add_argument("--newsroom", action="store_true", help="readers across the data set, quiet then with staff at work")
    newsroom.add_argument("--save-every", type=float, default=1.0, help="seconds between the writer's draft saves")
    newsroom.add_argument("--publish-every", type=float, default=60.0, help="seconds between the editor's publications")
    newsroom.add_argument("--strict", action="store_true", help="exit 1 when a newsroom target is missed")
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 60 if args.newsroom else 10
    return args


def chosen_modes(text: str | None, redis: bool) -> list[str]:
    if text is None:
        return [m for m in MODES if redis or MODES[m]["backend"] != "redis"]
    modes = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise SystemExit(f"unknown mode(s) {', '.join(unknown)}; choose from {', '.join(MODES)}")
    if not redis and any(MODES[m]["backend"] == "redis" for m in modes):
        raise SystemExit("page-redis needs REDIS_URL (for example redis://127.0.0.1:6379/0)")
    return modes


def database_url(articles: int) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url.replace("{articles}", str(articles))
    RESULTS.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{RESULTS / f'bench-{articles}.sqlite3'}"


def ensure_database(url: str) -> None:
    """Create a missing PostgreSQL database (the server must already run); SQLite creates its own."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    parsed = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parsed.path.lstrip("/"))
    maintenance = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            print(f"== creating database {name}", flush=True)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(env: dict, articles: int, replace: bool = False) -> None:
    print(f"== preparing {env['DATABASE_URL']} ({articles} articles)", flush=True)
    ensure_database(env["DATABASE_URL"])
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([PYTHON, "bench/generate.py", "--articles", str(articles), *(["--replace"] if replace else [])], env)


def quote(path: str) -> str:
    return urllib.parse.quote(path, safe="/?=&%")


# Our URL names → the labels ../shared/peer-bench pairs with the peer's pages (its README).
PEER_LABELS = {
    "home /": "home",
    "list page 2": "index",
    "article": "detail",
    "tag": "tag",
    "feed /feed/": "feed",
    "search 2 chars": "search",
    "static css": "static",
}


def peer_paths(urls: dict[str, str]) -> dict[str, str]:
    """The paths file ``peer-bench/run.sh --external NAME,URL,FILE`` reads: its labels, our paths."""
    return {label: urls[name] for name, label in PEER_LABELS.items() if name in urls}


def discover_urls(env: dict) -> dict[str, str]:
    """Pick the URLs from the data set, in this process with the server's settings."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db.models import Count
    from django.templatetags.static import static

    from bench.generate import SEARCH_LONG, SEARCH_SHORT
    from blog.models import Article, Tag

    published = Article.objects.published()
    article = published.order_by("pk")[published.count() // 2]
    tag = Tag.objects.annotate(n=Count("tagged_articles")).order_by("-n", "pk").first()  # the most used
    urls = {
        "home /": "/",
        "list page 2": "/?page=2",
        "article": article.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        f"search {len(SEARCH_SHORT)} chars": f"/search/?q={SEARCH_SHORT}",
        f"search {len(SEARCH_LONG)} chars": f"/search/?q={SEARCH_LONG}",
        "feed /feed/": "/feed/",
        "static css": static("css/site.css"),
    }
    return {name: quote(path) for name, path in urls.items()}


def sql_ms(captured) -> float:
    """Milliseconds the request waited on the database (Django's timing of each query)."""
    return sum(float(query.get("time") or 0) for query in captured.captured_queries) * 1000


def count_queries(urls: dict[str, str], repeat: int = 5) -> dict:
    """SQL queries and database milliseconds per request: every cache off, fragments kept, page-cache hit.

    The milliseconds are the median of ``repeat`` requests, measured in this process over loopback:
    what one page costs the database (``docs/operations.md`` sizes replicas with it).
    """
    import statistics

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    queries = {}

    def measure(path):
        # len() right away: captured queries are read lazily and the next request resets the log.
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        return status, len(captured), sql_ms(captured)

    for name, path in urls.items():
        with override_settings(PAGE_CACHE_SECONDS=0, FRAGMENT_CACHE_SECONDS=0):
            runs = [measure(path) for _ in range(repeat)]
        status, nocache = runs[0][0], runs[0][1]
        nocache_ms = statistics.median(ms for _, _, ms in runs)
        with override_settings(PAGE_CACHE_SECONDS=0):
            client.get(path)  # fragments (cards, counts, navigation) kept
            runs = [measure(path) for _ in range(repeat)]
        fragments, fragments_ms = runs[0][1], statistics.median(ms for _, _, ms in runs)
        cache.clear()
        client.get(path)
        client.get(path)  # a search is kept when asked for twice
        _, cached, _ = measure(path)
        queries[name] = {
            "status": status,
            "nocache": nocache,
            "fragments": fragments,
            "cached": cached,
            "nocache_sql_ms": round(nocache_ms, 2),
            "fragments_sql_ms": round(fragments_ms, 2),
        }
    cache.clear()
    return queries


def mode_env(env: dict, mode: str) -> dict:
    spec = MODES[mode]
    server_env = {
        **env,
        "DJANGO_PAGE_CACHE_SECONDS": str(spec["page"]),
        "DJANGO_FRAGMENT_CACHE_SECONDS": str(spec["fragments"]),
    }
    if spec["backend"] == "locmem":
        server_env.pop("REDIS_URL", None)
    return server_env


def flush_redis(url: str | None) -> None:
    """Empty the benchmark's Redis database, so that every mode starts from the same cold cache."""
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


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
    return "—" if value is None or value != value else f"{value:.{digits}f}"  # NaN → dash


def measured(result: dict) -> dict:
    """wrk's numbers, with latencies as NaN when no request completed (wrk then prints zeros)."""
    if not result.get("requests"):
        result = {**result, "p50_ms": float("nan"), "p99_ms": float("nan")}
    return result


def column(mode: str, cache: str) -> str:
    label = MODES[mode]["label"]
    return f"{mode}: {label} ({cache})" if MODES[mode]["backend"] == "as configured" and mode != "nocache" else f"{mode}: {label}"


def cache_of(mode: str, redis: bool) -> str:
    backend = MODES[mode]["backend"]
    if backend == "as configured":
        backend = "redis" if redis else "locmem"
    return "Redis" if backend == "redis" else "local memory"


def report(runs: list[dict]) -> str:
    """One or more sizes: the req/s matrix (URL × mode), then every number per size, mode and URL."""
    first = runs[0]["meta"]
    lines = [
        f"# make bench — {first['when']}",
        "",
        f"`{first['command']}`  ",
        f"{first['workers']} gunicorn sync workers, wrk -t2 -c{first['connections']} × {first['duration']} s per URL "
        "(after a 1 s warm-up).",
    ]
    for data in runs:
        meta, queries, results = data["meta"], data["queries"], data["results"]
        modes = list(results)
        names = list(next(iter(results.values()))["urls"]) if results else []
        lines += [
            "",
            f"## {meta['articles']:,} articles (`{meta['database']}`) — requests/s",
            "",
            "| URL | " + " | ".join(column(m, results[m]["cache"]) for m in modes) + " |",
            "| --- |" + " ---: |" * len(modes),
        ]
        for name in names:
            lines.append(f"| {name} | " + " | ".join(fmt(results[m]["urls"][name]["rps"], 0) for m in modes) + " |")
        lines += [
            "",
            "| mode | URL | status | req/s | p50 ms | p99 ms | errors | requests per worker CPU-s | SQL/request | SQL ms/request | peak worker RSS MB |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for mode, by_url in results.items():
            for name, result in by_url["urls"].items():
                q = queries[name]
                lines.append(
                    f"| {mode} | {name} | {q['status']} | {fmt(result['rps'], 0)} | {fmt(result['p50_ms'], 2)} | "
                    f"{fmt(result['p99_ms'], 2)} | {result['errors']} | {fmt(result.get('per_cpu_s'), 0)} | "
                    f"{q[MODES[mode]['queries']]} | "
                    f"{fmt(q.get(MODES[mode]['queries'] + '_sql_ms', 0.0), 2)} | {by_url['peak_rss_mb']:.0f} |"
                )
        soak = data.get("soak")
        if soak:
            lines += [
                "",
                f"Mixed run (pages and searches, fragments mode) at {soak['connections']} connections for "
                f"{soak['duration']} s: {soak['requests']} requests, {fmt(soak['rps'], 0)} req/s, "
                f"p50 {fmt(soak['p50_ms'], 2)} ms, p99 {fmt(soak['p99_ms'], 2)} ms, **{soak['errors']} errors**, "
                f"peak worker RSS {soak['peak_rss_mb']:.0f} MB.",
            ]
    return "\n".join(lines) + "\n"


def bench_one_size(args, argv, wrk_binary: str, articles: int) -> dict:
    redis_url = os.environ.get("REDIS_URL") or None
    modes = chosen_modes(args.modes, bool(redis_url))
    env = production_env(database_url(articles))
    prepare(env, articles, args.replace)
    urls = discover_urls(env)
    queries = count_queries(urls)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"paths-{articles}.json").write_text(json.dumps(peer_paths(urls), indent=1, ensure_ascii=False) + "\n")
    results, soak = {}, None
    for mode in modes:
        server_env = mode_env(env, mode)
        flush_redis(server_env.get("REDIS_URL"))
        server = Gunicorn(server_env, args.port, args.workers)
        with server:
            print(f"== {articles} articles, {mode} ({MODES[mode]['label']}): gunicorn on {server.base_url}", flush=True)
            server.sample_rss()
            by_url = {}
            for name, path in urls.items():
                # Warm both workers (connections; their caches in local memory, or Redis).
                wrk(wrk_binary, server.base_url + path, connections=2, duration=1)
                server.wait_idle()
                cpu_before = server.cpu_seconds()
                result = wrk(wrk_binary, server.base_url + path, connections=args.connections, duration=args.duration)
                server.wait_idle()  # the queued requests wrk gave up on are work of this URL too
                cpu = server.cpu_seconds() - cpu_before
                result.pop("raw", None)
                result = measured(result)
                # Served in that CPU time: what wrk saw completed and what was in flight when it stopped.
                served = result["requests"] + args.connections
                result["per_cpu_s"] = served / cpu if cpu > 0 else float("nan")
                by_url[name] = result
                print(
                    f"  {name:18} {result['rps']:9.0f} req/s  p50 {fmt(result['p50_ms'], 2):>8} ms  "
                    f"p99 {fmt(result['p99_ms'], 2):>8} ms  errors {result['errors']}  "
                    f"{fmt(result['per_cpu_s'], 0)} per CPU-s",
                    flush=True,
                )
            if mode == "fragments" and args.soak_duration > 0:
                pages = [p for n, p in urls.items() if n != "static css" and queries[n]["status"] == 200]
                script = lua_script(pages)
                try:
                    soak = wrk(
                        wrk_binary, server.base_url, connections=args.soak_connections,
                        duration=args.soak_duration, script=script,
                    )
                finally:
                    os.unlink(script)
                soak.pop("raw", None)
                soak.update(connections=args.soak_connections, duration=args.soak_duration)
                print(f"  mixed @{args.soak_connections}: {soak['rps']:.0f} req/s, errors {soak['errors']}", flush=True)
            server.stop_sampling()
            peak = server.peak_rss_kb / 1024
            results[mode] = {"urls": by_url, "peak_rss_mb": peak, "cache": cache_of(mode, bool(redis_url))}
            if soak is not None and "peak_rss_mb" not in soak:
                soak["peak_rss_mb"] = peak
    meta = {
        "when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["python bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "database": env["DATABASE_URL"].split("@")[-1],
        "articles": articles,
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
    }
    return {"meta": meta, "queries": queries, "results": results, "soak": soak}


def main(argv=None):
    args = parse_args(argv)
    # A plain kill stops what this run started too (servers run in sessions of their own).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk_binary = ensure_wrk()
    if args.newsroom:
        from bench.newsroom import run_newsroom

        met = run_newsroom(args, argv, wrk_binary)
        raise SystemExit(1 if args.strict and not met else 0)
    if len(args.articles) > 1:
        url = os.environ.get("DATABASE_URL", "")
        if url and "{articles}" not in url:
            raise SystemExit("several sizes need a database each: put {articles} in DATABASE_URL (it becomes the size)")
        # Django is set up once per process, on one database: one child process per size.
        runs = []
        own = argv if argv is not None else sys.argv[1:]
        for articles in args.articles:
            out = Path(tempfile.mkstemp(suffix=".json")[1])
            try:
                child = [PYTHON, "bench/run.py", *replace_articles(own, articles), "--results-json", str(out)]
                subprocess.run(child, cwd=ROOT, check=True)
                runs.append(json.loads(out.read_text()))
            finally:
                out.unlink(missing_ok=True)
        for data in runs:
            data["meta"]["command"] = " ".join(["python bench/run.py", *own])
    else:
        runs = [bench_one_size(args, argv, wrk_binary, args.articles[0])]
        if args.results_json:
            Path(args.results_json).write_text(json.dumps(runs[0], ensure_ascii=False))
            return
    text = report(runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"bench-{stamp}.md").write_text(text)
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(runs, indent=2, ensure_ascii=False))
    print()
    print(text)
    print(f"written to {RESULTS}/bench-{stamp}.md (peer-bench paths: {RESULTS}/paths-N.json)")


def replace_articles(argv: list[str], articles: int) -> list[str]:
    """``argv`` with its ``--articles`` value set to one size."""
    out, skip = [], False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--articles":
            skip = True
            continue
        if arg.startswith("--articles="):
            continue
        out.append(arg)
    return [*out, "--articles", str(articles)]


if __name__ == "__main__":
    main()
