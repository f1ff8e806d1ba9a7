"""Load-and-fault run: Redis, then PostgreSQL, go away and come back under a bounded load.

    make bench-fault                                   # uses postgres://postgres@127.0.0.1:5432/allforces_bench
    make bench-fault FAULT_ARGS="--phase-seconds 6"

Safe on a shared machine: nothing that other people use is stopped.
- Redis: the script runs its own redis-server on --redis-port (6390) and kills/restarts it.
- PostgreSQL: the site and the writer reach PostgreSQL through a TCP proxy that this script
  runs on --pg-proxy-port; "PostgreSQL down" closes the proxy and every connection through
  it (clients see exactly what a stopped server gives them: resets, then refusals). On a
  machine of your own, --pg-stop-cmd/--pg-start-cmd stop the real server instead.

During the whole run, reader threads request pages from gunicorn (production settings,
2 workers, 127.0.0.1) and a writer saves new articles through the ORM, recording each one
whose commit succeeded. Reported per phase: requests, errors by kind, latency (the 503s must
come back fast), the time to recover after each service returns, and whether every
acknowledged article (and every editorial revision, if that app has them) is still there.
"""

import argparse
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, Gunicorn, port_is_free, production_env, run  # noqa: E402

WRITER_PREFIX = "障害試験の記事"


class TcpProxy:
    """A small threaded TCP forwarder on 127.0.0.1 that can drop everything at once."""

    def __init__(self, listen_port: int, target: tuple[str, int]):
        self.listen_port, self.target = listen_port, target
        self.server = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", self.listen_port))
        self.server.listen(64)
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        if self.server:
            self.server.close()
            self.server = None
        with self.lock:
            sockets, self.sockets = self.sockets, set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass


class OwnRedis:
    def __init__(self, port: int):
        if not port_is_free(port):
            raise SystemExit(f"port {port} is in use; pass another --redis-port")
        self.port, self.process = port, None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            if not port_is_free(self.port):
                return
            time.sleep(0.1)
        raise SystemExit("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


class Load:
    """Reader threads; every request is recorded as (start, seconds, outcome)."""

    def __init__(self, base_url: str, paths: list[str], threads: int):
        self.base_url, self.paths, self.threads = base_url, paths, threads
        self.records: list[tuple[float, float, str]] = []
        self.stopping = threading.Event()

    def _loop(self, offset):
        i = offset
        while not self.stopping.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=10) as response:
                    response.read()
                    outcome = str(response.status)
            except urllib.error.HTTPError as error:
                outcome = str(error.code)
            except OSError as error:
                outcome = f"connection: {type(error).__name__}"
            self.records.append((started, time.monotonic() - started, outcome))

    def start(self):
        for n in range(self.threads):
            threading.Thread(target=self._loop, args=(n,), daemon=True).start()

    def stop(self):
        self.stopping.set()


class Writer:
    """Saves a new draft article every interval through the ORM; remembers acknowledged ones."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.acknowledged: list[int] = []
        self.failures = 0
        self.stopping = threading.Event()

    def _loop(self):
        from django.db import close_old_connections

        from blog.models import Article

        n = 0
        while not self.stopping.is_set():
            n += 1
            try:
                article = Article(title=f"{WRITER_PREFIX} {n}", slug=f"fault-{os.getpid()}-{n}", body="障害試験中に書かれた本文。")
                article.save()
                self.acknowledged.append(article.pk)
            except Exception:  # any failure to commit: the article was not acknowledged
                self.failures += 1
                close_old_connections()
                from django.db import connection

                connection.close()
            time.sleep(self.interval)

    def start(self):
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join(10)


def percentile(values, fraction):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))]


def summarize(records, phases):
    rows = []
    for name, start, end in phases:
        # By completion time: a request cut off by a fault belongs to the phase of the fault.
        window = [r for r in records if start <= r[0] + r[1] < end]
        outcomes = Counter(r[2] for r in window)
        latencies = [r[1] * 1000 for r in window]
        errors = [r for r in window if r[2] != "200"]
        rows.append(
            {
                "phase": name,
                "requests": len(window),
                "ok": outcomes.get("200", 0),
                "outcomes": dict(outcomes),
                "p50_ms": percentile(latencies, 0.5),
                "p99_ms": percentile(latencies, 0.99),
                "max_ms": max(latencies) if latencies else float("nan"),
                "max_error_ms": max((r[1] * 1000 for r in errors), default=0.0),
                "last_error_after_s": max((r[0] + r[1] - start for r in errors), default=None),
            }
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/allforces_bench"))
    parser.add_argument("--articles", type=int, default=300, help="data set size if the database is empty")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--pg-proxy-port", type=int, default=5440)
    parser.add_argument("--pg-stop-cmd", help="stop the real PostgreSQL instead of the proxy (own machine only)")
    parser.add_argument("--pg-start-cmd")
    parser.add_argument("--port", type=int, default=8112)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--phase-seconds", type=float, default=8)
    args = parser.parse_args(argv)

    from urllib.parse import urlsplit, urlunsplit

    direct = urlsplit(args.database_url)
    if not direct.scheme.startswith("postgres"):
        raise SystemExit("the fault run needs PostgreSQL: pass --database-url postgres://…")
    real_pg = args.pg_stop_cmd is not None
    via_proxy = args.database_url if real_pg else urlunsplit(
        direct._replace(netloc=direct.netloc.replace(f"{direct.hostname}:{direct.port or 5432}", f"127.0.0.1:{args.pg_proxy_port}"))
    )
    direct_env = production_env(args.database_url)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], direct_env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], direct_env)
    generate = [PYTHON, "bench/generate.py", "--articles", str(args.articles)]
    if subprocess.run(generate, cwd=Path(__file__).resolve().parent.parent, env=direct_env).returncode:
        print("keeping the data set that is there", flush=True)

    redis = OwnRedis(args.redis_port)
    proxy = TcpProxy(args.pg_proxy_port, (direct.hostname, direct.port or 5432))
    env = production_env(via_proxy, REDIS_URL=f"redis://127.0.0.1:{args.redis_port}/0")
    os.environ.update(env)
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection

    from blog.models import Article

    def counts():
        connection.close()
        revision = apps.get_model("editorial", "Revision") if "revision" in apps.all_models["editorial"] else None
        return Article.objects.count(), (revision.objects.count() if revision else None)

    redis.start()
    if not real_pg:
        proxy.start()
    server = Gunicorn(env, args.port)
    phases, load, writer = [], None, None
    try:
        server.start()
        articles_before, revisions_before = counts()
        sample = list(Article.objects.published().values_list("slug", flat=True)[:3])
        paths = ["/", "/search/?q=%E6%8E%A8%E8%AB%96"] + [f"/articles/{slug}/" for slug in sample]
        load, writer = Load(server.base_url, paths, args.threads), Writer()
        load.start()
        writer.start()

        def phase(name, action=None):
            if action:
                action()
            start = time.monotonic()
            print(f"  {name} …", flush=True)
            time.sleep(args.phase_seconds)
            phases.append((name, start, time.monotonic()))

        pg_stop = (lambda: subprocess.run(shlex.split(args.pg_stop_cmd), check=True)) if real_pg else proxy.stop
        pg_start = (lambda: subprocess.run(shlex.split(args.pg_start_cmd), check=True)) if real_pg else proxy.start
        phase("baseline")
        phase("redis down", redis.stop)
        phase("redis back", redis.start)
        phase("postgres down", pg_stop)
        phase("postgres back", pg_start)
        phase("steady")
    finally:
        if load:
            load.stop()
        if writer:
            writer.stop()
        server.stop()
        redis.stop()
        if not real_pg:
            proxy.stop()

    # Verify directly against PostgreSQL (no proxy).
    from django.db import connections

    connections["default"].settings_dict.update(
        HOST=direct.hostname, PORT=direct.port or 5432
    )
    connection.close()
    acknowledged = writer.acknowledged
    present = set(Article.objects.filter(pk__in=acknowledged).values_list("pk", flat=True))
    articles_after, revisions_after = counts()
    lost = [pk for pk in acknowledged if pk not in present]
    Article.objects.filter(title__startswith=WRITER_PREFIX).delete()

    time.sleep(0.5)
    rows = summarize(load.records, phases)
    lines = [
        "| phase | requests | 200 | other outcomes | p50 ms | p99 ms | slowest error ms | last error after s |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        other = ", ".join(f"{k}×{v}" for k, v in row["outcomes"].items() if k != "200") or "—"
        last = "—" if row["last_error_after_s"] is None else f"{row['last_error_after_s']:.2f}"
        lines.append(
            f"| {row['phase']} | {row['requests']} | {row['ok']} | {other} | {row['p50_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {row['max_error_ms']:.0f} | {last} |"
        )
    print("\n".join(lines))
    print(
        f"\nwriter: {len(acknowledged)} articles acknowledged, {writer.failures} refused during the outage; "
        f"lost after recovery: {len(lost)}"
    )
    print(f"articles before {articles_before}, after {articles_after} (before + acknowledged = {articles_before + len(acknowledged)})")
    if revisions_before is not None:
        print(f"editorial revisions before {revisions_before}, after {revisions_after}")
    recovered = {row["phase"]: row["last_error_after_s"] for row in rows}

    def recovery(phase_name):
        seconds = recovered[phase_name]
        return "no errors" if seconds is None else f"last error {seconds:.2f} s after it returned"

    print(f"Redis back: {recovery('redis back')}; PostgreSQL back: {recovery('postgres back')}")
    if lost or articles_after != articles_before + len(acknowledged):
        raise SystemExit("DATA LOST")


if __name__ == "__main__":
    main()
