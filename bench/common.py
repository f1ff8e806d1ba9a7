"""Shared helpers for the benchmark scripts: the production-like environment, gunicorn, wrk."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def production_env(database_url: str, **extra) -> dict:
    """The environment gunicorn runs with: production settings (DEBUG off), plain HTTP on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DJANGO_LOG_LEVEL="WARNING",
        # One machine, no mail server: accept SQLite (unless DATABASE_URL names PostgreSQL), the
        # local cache when no Redis is given and the console e-mail backend, on purpose.
        DJANGO_ALLOW_LOCAL_SERVICES="1",
        DJANGO_SITE_URL="http://127.0.0.1",
        GUNICORN_ACCESS_LOG="",
        GUNICORN_LOG_LEVEL="warning",
    )
    env.update({k: str(v) for k, v in extra.items()})
    if not env.get("REDIS_URL"):
        env.pop("REDIS_URL", None)
    return env


def run(args, env, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Gunicorn:
    """gunicorn with the repository's gunicorn.conf.py, on 127.0.0.1 only; always stopped."""

    def __init__(self, env: dict, port: int, workers: int = 2):
        if not port_is_free(port):
            raise SystemExit(f"port {port} on 127.0.0.1 is in use; pass another --port")
        self.port = port
        # The site URL names this server: the page cache keeps pages only for the site's host.
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "DJANGO_SITE_URL": f"http://127.0.0.1:{port}",
        }
        self.process = None
        self.peak_rss_kb = 0
        self._sampling = False

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30):
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited during start-up")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) >= 1:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not become healthy")

    def worker_pids(self) -> list[int]:
        if not self.process:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def rss_kb(self) -> int:
        """The largest resident set among the workers right now (kB)."""
        largest = 0
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                largest = max(largest, int(match.group(1)))
        return largest

    def wait_idle(self, timeout: float = 120) -> None:
        """Wait until the workers have answered what wrk left queued when it stopped.

        A sync worker takes connections in order, so the answer to one more request means the
        ones before it are done: the next measurement starts on an idle server.
        """
        try:
            with urllib.request.urlopen(self.base_url + "/healthz", timeout=timeout) as response:
                response.read()
        except OSError:
            pass

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server: live workers, plus what the master and its reaped
        (recycled) workers used. Requests per CPU-second is what one core serves, however
        much of the machine other processes took meanwhile."""
        ticks = os.sysconf("SC_CLK_TCK")

        def times(pid: int, with_children: bool) -> int:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return 0
            # fields[11:15] = utime, stime, cutime, cstime (proc(5), counted after the name)
            return sum(int(v) for v in fields[11:15 if with_children else 13])

        if not self.process:
            return 0.0
        total = times(self.process.pid, True) + sum(times(pid, False) for pid in self.worker_pids())
        return total / ticks

    def sample_rss(self):
        """Keep the peak worker RSS while load runs (a thread; stop with stop_sampling())."""
        self._sampling = True

        def loop():
            while self._sampling:
                self.peak_rss_kb = max(self.peak_rss_kb, self.rss_kb())
                time.sleep(0.25)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def stop_sampling(self):
        self._sampling = False

    def stop(self):
        self.stop_sampling()
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def ensure_wrk() -> str:
    """Return the wrk binary, installing Debian's package if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing the Debian package", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], env=env).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-q"], env=env, check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("could not install wrk")
    return found


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", value.strip())
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def parse_wrk(output: str) -> dict:
    result = {"rps": 0.0, "p50_ms": float("nan"), "p99_ms": float("nan"), "requests": 0, "errors": 0}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["rps"] = float(match.group(1))
    if match := re.search(r"(\d+) requests in", output):
        result["requests"] = int(match.group(1))
    if match := re.search(r"^\s+50%\s+(\S+)", output, re.M):
        result["p50_ms"] = _ms(match.group(1))
    if match := re.search(r"^\s+99%\s+(\S+)", output, re.M):
        result["p99_ms"] = _ms(match.group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(n) for n in match.groups())
    result["errors"] = errors
    return result


def wrk(binary: str, url: str, *, connections: int, duration: int, threads: int = 2, script: str | None = None) -> dict:
    args = [binary, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", script]
    completed = subprocess.run([*args, url], capture_output=True, text=True, timeout=duration + 60)
    result = parse_wrk(completed.stdout)
    result["raw"] = completed.stdout
    return result
