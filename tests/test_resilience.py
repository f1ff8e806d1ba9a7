"""Cache and database outages: the site keeps serving, or says so kindly, and recovers."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client

from config.cache import ResilientRedisCache
from tests.conftest import redis_cache_settings
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _retry_redis_at_once(monkeypatch):
    monkeypatch.setattr(ResilientRedisCache, "RETRY_AFTER", 0.0)


def test_site_serves_when_redis_is_unreachable(settings, closed_port, caplog):
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port}/0")
    article = make_article("Redis停止中でも読める記事")
    started = time.monotonic()
    for _ in range(3):
        response = Client().get("/")
        assert response.status_code == 200
        assert article.title in response.content.decode()
    assert Client().get(article.get_absolute_url()).status_code == 200
    assert time.monotonic() - started < 3
    assert "Cache unavailable" in caplog.text


def test_admin_login_works_when_redis_is_unreachable(settings, closed_port):
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port}/0")
    make_user("editor", is_superuser=True)
    response = Client().post("/admin/login/", {"username": "editor", "password": "pw-editor"})
    assert response.status_code == 302


def test_cache_calls_answer_defaults_instead_of_raising(settings, closed_port):
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port}/0")
    assert cache.get("x", "default") == "default"
    assert cache.add("x", 1) is False
    assert cache.set("x", 1) is None
    assert cache.get_many(["x"]) == {}
    assert cache.delete("x") is False
    with pytest.raises(ValueError):
        cache.incr("x")


def test_pages_are_cached_in_redis_and_survive_a_redis_restart(settings, redis_server):
    settings.CACHES = redis_cache_settings(redis_server.url)
    article = make_article("Redisにキャッシュされる記事")
    reader = Client()
    assert reader.get("/")["X-Page-Cache"] == "miss"
    assert reader.get("/")["X-Page-Cache"] == "hit"

    redis_server.stop()
    response = reader.get("/")
    assert response.status_code == 200 and response.get("X-Page-Cache") != "hit"  # rendered, not kept
    article.title = "Redis停止中に編集された記事"
    article.save()  # the invalidation is lost with Redis down...

    redis_server.start()  # ...and Redis comes back empty (no persistence), so nothing is stale
    response = reader.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Redis停止中に編集された記事" in response.content.decode()
    assert reader.get("/")["X-Page-Cache"] == "hit"


def test_public_page_answers_a_japanese_503_when_the_database_fails_in_a_view():
    reader = Client(raise_request_exception=False)
    with mock.patch("blog.views.ArticleListView.get_queryset", side_effect=OperationalError("connection refused")):
        response = reader.get("/")
    assert response.status_code == 503
    assert "ただいまページを表示できません" in response.content.decode()
    assert response["Retry-After"] == "30"
    assert "X-Page-Cache" not in response
    # Nothing is kept: the next request after the database returns is normal.
    make_article("復旧後の記事")
    recovered = reader.get("/")
    assert recovered.status_code == 200 and "復旧後の記事" in recovered.content.decode()


def test_database_failure_outside_a_view_is_a_503_too():
    reader = Client(raise_request_exception=False)
    reader.cookies["sessionid"] = "some-session"
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("down")):
        response = reader.get("/")
    assert response.status_code == 503
    assert "ただいまページを表示できません" in response.content.decode()


def test_programming_errors_stay_500s():
    from django.db import ProgrammingError

    reader = Client(raise_request_exception=False)
    with mock.patch("blog.views.ArticleListView.get_queryset", side_effect=ProgrammingError("bug")):
        assert reader.get("/").status_code == 500


def test_cached_pages_are_still_served_while_the_database_is_down():
    make_article("データベース停止中も読める記事")
    reader = Client(raise_request_exception=False)
    reader.get("/")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = reader.get("/")
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"


PG_DOWN_SCRIPT = textwrap.dedent(
    """
    import time, django
    django.setup()
    from django.test import Client
    client = Client(raise_request_exception=False, HTTP_HOST="localhost")
    for attempt in range(2):
        started = time.monotonic()
        response = client.get("/")
        print(response.status_code, round(time.monotonic() - started, 3), flush=True)
    print("ただいまページを表示できません" in response.content.decode())
    from django.conf import settings
    print(settings.DATABASES["default"]["OPTIONS"]["connect_timeout"])
    """
)


def test_postgresql_down_gives_a_503_with_a_bounded_connect_timeout(closed_port):
    """A real psycopg connection to a port where no PostgreSQL listens, in a fresh process.

    How fast the answer comes is measured by ``bench/fault.py``; here, that every request gets the
    503 page and that connecting gives up after the configured two seconds, not the default wait.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port}/allforces",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PG_DOWN_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    lines = result.stdout.split("\n")
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in lines[:2]] == ["503", "503"]
    assert lines[2] == "True"
    assert lines[3] == "2"
