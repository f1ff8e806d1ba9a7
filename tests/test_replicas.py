"""Read replicas: anonymous public reads from a replica, everything else from the primary.

In an ordinary run the replica alias mirrors the primary's test database (tests/settings.py), so
these tests prove the routing. Under ``.ci/with-replica`` the alias is a real streaming standby
of the local PostgreSQL cluster: the pages below are then read from it, and the tests marked
``standby`` also prove that it is one and that an editor never waits for it.
"""

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from blog.models import Article
from config import routers
from editorial import workflow
from tests.factories import make_article, make_author, make_category, make_user

REPLICA = settings.DATABASE_REPLICAS[0] if settings.DATABASE_REPLICAS else "replica1"
ON_A_STANDBY = bool(settings.DATABASE_REPLICAS)
DATABASES = [DEFAULT_DB_ALIAS, REPLICA]
ROOT = Path(__file__).resolve().parent.parent
transactional = pytest.mark.django_db(transaction=True, databases=DATABASES)


@pytest.fixture
def routing(settings):
    settings.DATABASE_REPLICAS = [REPLICA]


@pytest.fixture
def standby():
    """The replica alias is a streaming standby here, or the test cannot say anything."""
    if not ON_A_STANDBY:
        if os.environ.get("ALLFORCES_EXPECT_STANDBY"):
            pytest.fail("ALLFORCES_EXPECT_STANDBY is set but DATABASE_REPLICA_URLS names no replica")
        pytest.skip("needs a streaming standby: .ci/with-replica (the replica stage of .ci/run)")
    return connections[REPLICA]


def scalar(alias, sql, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def caught_up():
    """Wait until the standby has replayed everything committed on the primary (a mirror: at once)."""
    if not ON_A_STANDBY:
        return
    lsn = scalar(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + 30
    while not scalar(REPLICA, "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [lsn]):
        if time.monotonic() > deadline:
            pytest.fail(f"the standby did not replay up to {lsn} within 30 s")
        time.sleep(0.02)


@contextlib.contextmanager
def replay_paused():
    """The standby applies no WAL inside the block: it lags the primary for as long as it lasts."""
    scalar(REPLICA, "SELECT pg_wal_replay_pause()::text")
    try:
        yield
    finally:
        scalar(REPLICA, "SELECT pg_wal_replay_resume()::text")


@contextlib.contextmanager
def queries():
    """Capture the queries sent to the primary and to the replica."""
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary, CaptureQueriesContext(connections[REPLICA]) as replica:
        yield primary, replica


def published_content():
    category = make_category("大規模言語モデル")
    author = make_author("山田花子")
    article = make_article("レプリカから読む推論の記事", category=category, authors=[author], tags=("推論",))
    return article


# --- the router ------------------------------------------------------------------------------


def test_reads_use_the_primary_unless_a_request_chose_a_replica():
    router = routers.PrimaryReplicaRouter()
    assert router.db_for_read(Article) == DEFAULT_DB_ALIAS
    with routers.reading_from(REPLICA):
        assert router.db_for_read(Article) == REPLICA
    assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_sessions_users_and_every_write_use_the_primary():
    router = routers.PrimaryReplicaRouter()
    with routers.reading_from(REPLICA):
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_read(get_user_model()) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Article) == DEFAULT_DB_ALIAS


def test_only_the_primary_is_migrated():
    router = routers.PrimaryReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "blog") is True
    assert router.allow_migrate(REPLICA, "blog") is False


@transactional
def test_reads_inside_a_transaction_use_the_primary():
    router = routers.PrimaryReplicaRouter()
    with routers.reading_from(REPLICA):
        assert router.db_for_read(Article) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Article) == DEFAULT_DB_ALIAS
            assert Article.objects.all().db == DEFAULT_DB_ALIAS


@pytest.mark.parametrize(
    ("value", "pinned"),
    [
        (lambda now: now + 5, True),
        (lambda now: now - 1, False),
        (lambda now: now + 10**6, False),
        (lambda now: "abc", False),
        (lambda now: "", False),
        (lambda now: "1e9", False),
    ],
)
def test_the_pin_cookie_counts_only_for_a_short_while(rf, settings, value, pinned):
    settings.REPLICA_PIN_SECONDS = 10
    request = rf.get("/")
    request.COOKIES[routers.PIN_COOKIE] = str(value(int(time.time())))
    assert routers.is_pinned(request) is pinned


# --- requests --------------------------------------------------------------------------------


def public_pages(article):
    year = timezone.localtime(article.published_at).year
    return [
        ("/", article.title),
        (article.get_absolute_url(), "レプリカから読む推論の記事"),
        (article.category.get_absolute_url(), article.title),
        (article.tags.get().get_absolute_url(), article.title),
        (article.authors.get().get_absolute_url(), article.title),
        (reverse("blog:archive-year", args=[year]), article.title),
        (reverse("blog:search") + "?" + urlencode({"q": "推論"}), "読む<mark>推論</mark>の記事"),
        (reverse("blog:feed"), article.title),
        (reverse("blog:feed-atom"), article.title),
        (reverse("blog:feed-json"), article.title),
        (reverse("blog:sitemap"), article.get_absolute_url()),
        (reverse("blog:sitemap-news"), article.title),
    ]


@transactional
def test_anonymous_readers_get_every_public_page_from_the_replica(client, routing):
    article = published_content()
    pages = public_pages(article)
    caught_up()
    for path, expected in pages:
        with queries() as (primary, replica):
            response = client.get(path)
        assert response.status_code == 200, path
        assert expected in response.content.decode(), path
        assert len(replica) > 0, f"{path} read nothing from the replica"
        assert [q["sql"] for q in primary] == [], f"{path} read from the primary"


@transactional
def test_a_missing_article_is_a_404_from_the_replica(client, routing):
    published_content()
    caught_up()
    with queries() as (primary, replica):
        response = client.get("/articles/存在しない記事/")
    assert response.status_code == 404
    assert len(replica) > 0 and len(primary) == 0


@transactional
def test_staff_read_everything_from_the_primary(client, routing):
    article = published_content()
    client.force_login(make_user("editor", is_superuser=True))
    for path in ("/", article.get_absolute_url(), reverse("admin:blog_article_changelist")):
        with queries() as (primary, replica):
            response = client.get(path)
        assert response.status_code == 200, path
        assert len(primary) > 0 and len(replica) == 0, path


@transactional
def test_an_anonymous_write_reads_the_primary_and_pins_nothing(client, routing):
    make_user("editor")
    with queries() as (primary, replica):
        response = client.post(reverse("admin:login"), {"username": "editor", "password": "違う"})
    assert response.status_code == 200
    assert len(replica) == 0
    assert routers.PIN_COOKIE not in response.cookies


@transactional
def test_a_signed_in_write_pins_the_browser_to_the_primary_even_after_signing_out(client, routing, settings):
    settings.REPLICA_PIN_SECONDS = 7
    article = published_content()
    client.force_login(make_user("editor"))
    response = client.post(reverse("admin:logout"))
    cookie = response.cookies[routers.PIN_COOKIE]
    assert cookie["max-age"] == 7 and cookie["httponly"] and cookie["samesite"] == "Lax"
    with queries() as (primary, replica):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert len(primary) > 0 and len(replica) == 0
    # Once the pin has run out, the same browser reads the replica again.
    client.cookies[routers.PIN_COOKIE] = str(int(time.time()) - 1)
    cache.clear()
    caught_up()
    with queries() as (primary, replica):
        client.get(article.get_absolute_url())
    assert len(replica) > 0 and len(primary) == 0


@transactional
def test_without_replicas_everything_reads_the_primary(client, settings):
    settings.DATABASE_REPLICAS = []
    article = published_content()
    with queries() as (primary, replica):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert len(primary) > 0 and len(replica) == 0


def publish_through_the_admin(client, article):
    return client.post(
        reverse("admin:blog_article_transition", args=[article.pk, "publish"]), {"comment": "", "_transition": "1"}
    )


@transactional
def test_an_editor_sees_the_article_they_just_published_at_once(client, routing):
    editor = make_user("chief", is_superuser=True)
    article = published_content()
    article.status, article.published_at = Article.Status.IN_REVIEW, None
    article.save()
    caught_up()
    client.force_login(editor)
    response = publish_through_the_admin(client, article)
    assert response.status_code == 302
    assert routers.PIN_COOKIE in response.cookies
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "レプリカから読む推論の記事" in response.content.decode()


# --- a real streaming standby (.ci/with-replica) ---------------------------------------------


@transactional
def test_the_replica_is_a_streaming_standby_of_the_primary(standby):
    assert scalar(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert scalar(DEFAULT_DB_ALIAS, "SELECT pg_is_in_recovery()") is False
    assert scalar(REPLICA, "SELECT status FROM pg_stat_wal_receiver") == "streaming"
    # The same test database, reached on another server.
    assert scalar(REPLICA, "SELECT current_database()") == scalar(DEFAULT_DB_ALIAS, "SELECT current_database()")
    assert settings.DATABASES[REPLICA]["PORT"] != settings.DATABASES[DEFAULT_DB_ALIAS]["PORT"]
    with pytest.raises(Exception, match="read-only transaction"):
        scalar(REPLICA, "CREATE TABLE written_on_a_standby (id int)")


@transactional
def test_while_the_standby_lags_readers_see_it_and_the_editor_sees_the_primary(client, routing, standby):
    editor = make_user("chief", is_superuser=True)
    article = published_content()
    article.status, article.published_at = Article.Status.IN_REVIEW, None
    article.save()
    caught_up()
    reader = Client()
    client.force_login(editor)
    with replay_paused():
        assert publish_through_the_admin(client, article).status_code == 302
        # The standby has not applied the publication: readers cannot see it yet...
        assert reader.get(article.get_absolute_url()).status_code == 404
        # ...its editor does, at once, and so does their browser after signing out.
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200 and "レプリカから読む推論の記事" in response.content.decode()
        client.post(reverse("admin:logout"))
        assert client.get(article.get_absolute_url()).status_code == 200
    caught_up()
    assert reader.get(article.get_absolute_url()).status_code == 200


# --- settings --------------------------------------------------------------------------------


def settings_with(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env, DJANGO_DEBUG="1")
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'replicas': settings.DATABASE_REPLICAS, 'databases': settings.DATABASES}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True, text=True, timeout=60,
    )


def test_each_replica_url_becomes_an_alias_that_mirrors_the_primary_in_tests():
    result = settings_with(
        DATABASE_URL="postgres://app@db-primary:5432/allforces",
        DATABASE_REPLICA_URLS="postgres://app@db-r1:5432/allforces, postgres://app@db-r2:6432/allforces",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["replicas"] == ["replica1", "replica2"]
    replica2 = loaded["databases"]["replica2"]
    assert (replica2["HOST"], replica2["PORT"]) == ("db-r2", 6432)
    assert replica2["TEST"]["MIRROR"] == "default"
    assert replica2["OPTIONS"]["connect_timeout"] == loaded["databases"]["default"]["OPTIONS"]["connect_timeout"]


def test_a_replica_of_another_engine_is_refused():
    result = settings_with(DATABASE_URL="postgres://app@db:5432/a", DATABASE_REPLICA_URLS="sqlite:///other.sqlite3")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS" in result.stderr


@transactional
def test_a_page_rendered_from_a_lagging_standby_is_not_kept_past_the_change(routing, standby, settings):
    """The home page read while the standby misses a publication must not stay in the page cache."""
    settings.REPLICA_MAX_LAG_SECONDS = 30
    editor = make_user("chief", is_superuser=True)
    article = published_content()
    article.status, article.published_at = Article.Status.IN_REVIEW, None
    article.save()
    make_article("先に公開済みの記事")
    caught_up()
    reader = Client()
    assert article.title not in reader.get("/").content.decode()

    def publish():
        try:
            workflow.publish(Article.objects.get(pk=article.pk), editor)
        finally:
            connections.close_all()

    with replay_paused():
        publishing = threading.Thread(target=publish)
        publishing.start()
        # Committed on the primary, still waiting for the standby in its on-commit hook:
        while not Article.objects.published().filter(pk=article.pk).exists():
            assert publishing.is_alive(), "the publication ended before the standby replayed it"
            time.sleep(0.02)
        stale = reader.get("/")
        assert stale["X-Page-Cache"] == "miss" and article.title not in stale.content.decode()
    publishing.join(timeout=60)
    assert not publishing.is_alive()
    fresh = reader.get("/")
    assert article.title in fresh.content.decode()
