import os
import shutil
import socket
import subprocess
import time

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploads, covers and their renditions go to a throwaway directory, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 where nothing listens: connections are refused at once."""
    return free_port()


class RedisServer:
    """A private, throwaway redis-server on 127.0.0.1 (never the machine's shared one)."""

    def __init__(self, *extra_args: str):
        self.port = free_port()
        self.process = None
        self.extra_args = list(extra_args)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", *self.extra_args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)


def _redis(*extra_args):
    if not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed: CI must run the Redis tests")
        pytest.skip("redis-server is not installed")
    server = RedisServer(*extra_args)
    server.start()
    return server


@pytest.fixture
def redis_server():
    server = _redis()
    yield server
    server.stop()


@pytest.fixture
def small_lru_redis_server():
    """A Redis as compose runs it (allkeys-lru), but with only 2 MB: it evicts at once."""
    server = _redis("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")
    yield server
    server.stop()


def redis_cache_settings(url):
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
