"""WebSub: feeds name the hub and themselves; public changes ping a real (local) hub once per affected feed."""

import datetime
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from blog import websub
from blog.models import Article, Tag
from config.checks import websub_misconfigured
from editorial import workflow
from tests.factories import make_article, make_author, make_category, make_user

pytestmark = pytest.mark.django_db
Status = Article.Status
SITE = "https://allforces.example"
ATOM = "{http://www.w3.org/2005/Atom}"


class Hub:
    """A WebSub hub on 127.0.0.1 that records every publish request and answers ``status``."""

    def __init__(self):
        self.requests = []
        self.status = 204
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                hub.requests.append({"path": self.path, "content_type": self.headers["Content-Type"], "form": parse_qs(body)})
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def pinged(self) -> list[str]:
        """The feeds announced, in the order they came."""
        assert all(request["form"]["hub.mode"] == ["publish"] for request in self.requests)
        return [url for request in self.requests for url in request["form"]["hub.url"]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub(settings):
    server = Hub()
    settings.WEBSUB_HUB = server.url
    settings.SITE_URL = SITE
    yield server
    server.stop()


@pytest.fixture
def article(db):
    """A public article with a category, two tags (one Japanese) and two authors."""
    return make_article(
        "推論コストの話",
        category=make_category("生成AI"),
        tags=("LLM", "推論"),
        authors=[make_author("佐藤香織"), make_author("鈴木健")],
    )


@pytest.fixture
def chief(db):
    return make_user("chief", groups=["Editor-in-chief"])


def expected_feeds(article) -> set[str]:
    tag_slugs = {tag.slug for tag in article.tags.all()}
    author_slugs = {author.slug for author in article.authors.all()}
    paths = {reverse("blog:feed"), reverse("blog:feed-atom"), reverse("blog:feed-json")}
    for kind, slugs in (("category", {article.category.slug}), ("tag", tag_slugs), ("author", author_slugs)):
        for slug in slugs:
            paths |= {reverse(f"blog:{kind}-feed{format}", args=[slug]) for format in ("", "-atom", "-json")}
    return {SITE + path for path in paths}


# -- Feeds declare the hub ---------------------------------------------------------------------


def feed_links(client, url) -> dict[str, str]:
    """The hub and self address a feed declares: ``<atom:link>``/``<link>``, or JSON Feed's ``hubs`` and ``feed_url``."""
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith("feed.json"):
        document = response.json()
        return {"self": document["feed_url"]} | {hub["type"]: hub["url"] for hub in document.get("hubs", [])}
    root = ET.fromstring(response.content)
    links = root.iter(f"{ATOM}link")
    return {link.get("rel"): link.get("href") for link in links if link.get("rel") in ("hub", "self")}


def test_every_feed_of_an_article_names_the_hub_and_its_own_address(client, hub, article):
    feeds = websub.feed_urls_for(article)
    assert len(feeds) == 3 * (1 + 1 + 2 + 2)  # RSS, Atom, JSON: site, category, 2 tags, 2 authors
    assert set(feeds) == expected_feeds(article)
    for url in feeds:
        hub_key = "WebSub" if url.endswith("feed.json") else "hub"
        assert feed_links(client, url.removeprefix(SITE)) == {hub_key: hub.url, "self": url}


def test_japanese_slugs_give_the_same_address_in_the_feed_and_in_the_ping(client, hub, article):
    tag = Tag.objects.get(name="推論")
    url = SITE + reverse("blog:tag-feed", args=[tag.slug])
    assert "%E6%8E%A8%E8%AB%96" in url
    assert url in websub.feed_urls_for(article)
    assert feed_links(client, url.removeprefix(SITE))["self"] == url


def test_without_a_hub_feeds_name_none(client, settings, article):
    settings.SITE_URL = SITE
    assert feed_links(client, reverse("blog:feed")) == {"self": SITE + reverse("blog:feed")}
    assert feed_links(client, reverse("blog:feed-atom")) == {"self": SITE + reverse("blog:feed-atom")}
    assert feed_links(client, reverse("blog:feed-json")) == {"self": SITE + reverse("blog:feed-json")}


# -- Changes ping the hub ----------------------------------------------------------------------


def test_publishing_pings_the_hub_once_for_each_feed_the_article_joins(hub, chief, django_capture_on_commit_callbacks):
    article = make_article(status=Status.IN_REVIEW, tags=("LLM", "推論"), authors=[make_author(), make_author()])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, chief)
    assert sorted(hub.pinged()) == sorted(expected_feeds(article))
    assert all(request["content_type"] == "application/x-www-form-urlencoded" for request in hub.requests)
    assert {request["path"] for request in hub.requests} == {"/hub"}


def test_the_hub_hears_nothing_before_the_commit(hub, chief, django_capture_on_commit_callbacks):
    article = make_article(status=Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, chief)
        assert hub.requests == []
    assert hub.requests


def test_unpublishing_pings_every_feed_the_article_leaves(hub, chief, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article, chief)
    assert sorted(hub.pinged()) == sorted(expected_feeds(article))


def test_editing_a_public_article_pings_its_feeds(hub, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article.body += "\n\n追記：価格が改定されました。"
        article.save()
    assert sorted(hub.pinged()) == sorted(expected_feeds(article))


def test_retagging_pings_the_feed_of_the_tag_left_and_of_the_tag_joined(hub, article, django_capture_on_commit_callbacks):
    old = SITE + reverse("blog:tag-feed", args=[Tag.objects.get(name="LLM").slug])
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            article.title = "推論コストの話（改訂）"
            article.save()
            article.tags.set(["推論", "GPU"])
    new = SITE + reverse("blog:tag-feed", args=[Tag.objects.get(name="GPU").slug])
    pinged = hub.pinged()
    assert old in pinged and new in pinged
    assert len(pinged) == len(set(pinged)), "one ping per feed, however many saves the change took"
    assert set(pinged) == expected_feeds(article) | {old, old.replace("/feed/", "/feed/atom/"), old.replace("/feed/", "/feed.json")}


def test_changing_a_draft_pings_nothing(hub, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(status=Status.DRAFT)
        draft.body += "\n\n下書きの追記"
        draft.save()
        draft.tags.add("下書きタグ")
    assert hub.requests == []


def test_re_rendering_stored_html_pings_nothing(hub, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rerender_articles", verbosity=0)
    assert hub.requests == []


def test_a_rolled_back_edit_pings_nothing(hub, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                article.title = "取り消される題名"
                article.save()
                raise RuntimeError
    assert callbacks == [] and hub.requests == []


def test_deleting_a_public_article_pings_its_feeds(hub, article, django_capture_on_commit_callbacks):
    feeds = expected_feeds(article)
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert sorted(hub.pinged()) == sorted(feeds)


def test_nothing_is_pinged_without_a_hub(hub, settings, article, django_capture_on_commit_callbacks):
    settings.WEBSUB_HUB = ""
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "ハブなしの編集"
        article.save()
    assert hub.requests == []


# -- With the worker: retries and scheduled publication ------------------------------------------


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_RETRY_BASE_SECONDS = 30


def run_worker():
    """``manage.py db_worker --batch``: run every due task, then stop.

    Between tasks the worker closes connections that are not in autocommit mode; here that is
    the test's own transaction, so that one check is left out.
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


def pings(status):
    return DBTaskResult.objects.filter(task_path="blog.websub.ping_hub", status=status)


def test_pings_wait_for_the_worker_and_a_failing_hub_is_tried_again(hub, database_tasks, chief, django_capture_on_commit_callbacks):
    article = make_article(status=Status.IN_REVIEW, tags=("LLM",))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, chief)
    feeds = expected_feeds(article)
    assert len(feeds) == 12  # site, category, one tag, one author; RSS, Atom and JSON
    assert hub.requests == [] and pings(TaskResultStatus.READY).count() == 12
    hub.status = 503
    run_worker()
    assert len(hub.requests) == 12
    assert pings(TaskResultStatus.FAILED).count() == 12
    retries = pings(TaskResultStatus.READY)
    assert sorted(row.args_kwargs["args"][1] for row in retries) == sorted(feeds)
    assert {row.args_kwargs["kwargs"]["attempt"] for row in retries} == {2}
    hub.status = 202
    retries.update(run_after=article.published_at)  # due now
    run_worker()
    assert pings(TaskResultStatus.SUCCESSFUL).count() == 12
    assert sorted(hub.pinged()[12:]) == sorted(feeds)


def test_scheduling_enqueues_the_pings_for_the_publication_time(hub, database_tasks, django_capture_on_commit_callbacks):
    editor = make_user("editor", groups=["Editor"])
    article = make_article(status=Status.IN_REVIEW, tags=("LLM",))
    publish_at = timezone.now() + datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(article, editor, publish_at=publish_at)
    waiting = pings(TaskResultStatus.READY)
    assert sorted(row.args_kwargs["args"][1] for row in waiting) == sorted(expected_feeds(article))
    assert {row.run_after for row in waiting} == {publish_at}
    run_worker()
    assert hub.requests == []


# -- Configuration ------------------------------------------------------------------------------


def test_a_hub_needs_the_site_address_and_an_http_url(settings):
    settings.WEBSUB_HUB, settings.SITE_URL = "", ""
    assert websub_misconfigured() == []
    settings.WEBSUB_HUB = "https://hub.example/"
    assert [error.id for error in websub_misconfigured()] == ["allforces.E007"]
    settings.SITE_URL = SITE
    assert websub_misconfigured() == []
    settings.WEBSUB_HUB = "file:///etc/passwd"
    assert [error.id for error in websub_misconfigured()] == ["allforces.E006"]


def test_an_edit_saved_in_the_admin_pings_each_feed_once(hub, client, chief, article, django_capture_on_commit_callbacks):
    from tests.editorial.conftest import change_form_data

    old = SITE + reverse("blog:tag-feed", args=[Tag.objects.get(name="LLM").slug])
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:blog_article_change", args=[article.pk]),
            change_form_data(article, title="推論コストの話（改訂）", tags="推論, GPU"),
        )
    assert response.status_code == 302
    pinged = hub.pinged()
    assert len(pinged) == len(set(pinged))
    assert set(pinged) == expected_feeds(article) | {old, old.replace("/feed/", "/feed/atom/"), old.replace("/feed/", "/feed.json")}


def test_an_article_in_a_series_also_pings_the_series_feeds(client, hub, article):
    from tests.factories import make_series

    series = make_series("LLMを業務で使う", articles=[article])
    feeds = websub.feed_urls_for(article)
    series_feeds = [SITE + reverse(f"blog:series-feed{format}", args=[series.slug]) for format in ("", "-atom", "-json")]
    assert feeds[-3:] == series_feeds
    for url in series_feeds:
        hub_key = "WebSub" if url.endswith("feed.json") else "hub"
        assert feed_links(client, url.removeprefix(SITE)) == {hub_key: hub.url, "self": url}


@pytest.mark.parametrize("status, retried", [(400, False), (404, False), (410, False), (408, True), (429, True), (500, True)])
def test_a_hub_refusing_the_ping_is_not_asked_again_but_a_busy_one_is(hub, database_tasks, status, retried):
    hub.status = status
    ping_hub = websub.ping_hub
    ping_hub.enqueue(hub.url, SITE + reverse("blog:feed"))
    run_worker()
    assert len(hub.requests) == 1
    assert pings(TaskResultStatus.FAILED).count() == 1
    assert pings(TaskResultStatus.READY).exists() is retried


# -- Renames and merges of tags, categories and authors -------------------------------------------


def own_feeds(kind, slug) -> set[str]:
    return {SITE + reverse(f"blog:{kind}-feed{format}", args=[slug]) for format in ("", "-atom", "-json")}


def site_feeds() -> set[str]:
    return {SITE + reverse(name) for name in ("blog:feed", "blog:feed-atom", "blog:feed-json")}


@pytest.fixture
def settled(hub, django_capture_on_commit_callbacks):
    """Make test data as its own committed change: its pings are sent and forgotten."""

    def make(factory, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            made = factory(*args, **kwargs)
        hub.requests.clear()
        return made

    return make


@pytest.fixture
def public(settled):
    """Like ``article``, committed before the test's own change."""
    return settled(
        make_article,
        "推論コストの話",
        category=make_category("生成AI"),
        tags=("LLM", "推論"),
        authors=[make_author("佐藤香織"), make_author("鈴木健")],
    )


def test_renaming_a_tag_pings_its_feeds_and_the_sites(hub, public, django_capture_on_commit_callbacks):
    tag = Tag.objects.get(name="LLM")
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "大規模言語モデル"
        tag.save()
    assert sorted(hub.pinged()) == sorted(own_feeds("tag", tag.slug) | site_feeds())


def test_a_new_category_slug_pings_the_old_and_the_new_feeds(hub, public, django_capture_on_commit_callbacks):
    category = public.category
    old_slug = category.slug
    with django_capture_on_commit_callbacks(execute=True):
        category.name, category.slug = "生成AI・LLM", "generative-ai"
        category.save()
    assert sorted(hub.pinged()) == sorted(own_feeds("category", old_slug) | own_feeds("category", "generative-ai") | site_feeds())


def test_renaming_an_author_in_the_admin_pings_the_author_feeds_once(hub, client, chief, public, django_capture_on_commit_callbacks):
    author = public.authors.get(name="佐藤香織")
    client.force_login(make_user("root", is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:blog_author_change", args=[author.pk]),
            {"name": "佐藤 香織", "slug": author.slug, "role": "", "bio": "", "x_url": "", "github_url": "", "website_url": "",
             "photo_alt": "", "photo_focal_x": "0.5", "photo_focal_y": "0.5"},
        )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    pinged = hub.pinged()
    assert len(pinged) == len(set(pinged))
    assert set(pinged) == own_feeds("author", author.slug) | site_feeds()


def test_saving_without_a_new_name_and_renaming_a_tag_only_drafts_use_ping_nothing(hub, settled, django_capture_on_commit_callbacks):
    settled(make_article, status=Status.DRAFT, tags=("未発表の製品",))
    public = settled(make_article, tags=("GPU",))
    with django_capture_on_commit_callbacks(execute=True):
        secret = Tag.objects.get(name="未発表の製品")
        secret.name = "未発表の製品（仮）"
        secret.save()
        public.category.save()
        Tag.objects.get(name="GPU").save()
    assert hub.requests == []


def test_merging_tags_pings_both_tags_feeds_and_the_sites(hub, public, django_capture_on_commit_callbacks):
    source, target = Tag.objects.get(name="推論"), Tag.objects.create(name="推論処理")
    with django_capture_on_commit_callbacks(execute=True):
        source.merge_into(target)
    pinged = hub.pinged()
    assert len(pinged) == len(set(pinged))
    assert set(pinged) == own_feeds("tag", source.slug) | own_feeds("tag", target.slug) | site_feeds()
    assert sorted(public.tags.names()) == ["LLM", "推論処理"]


def test_deleting_a_tag_pings_its_feeds_and_the_sites(hub, public, django_capture_on_commit_callbacks):
    tag = Tag.objects.get(name="LLM")
    slug = tag.slug
    with django_capture_on_commit_callbacks(execute=True):
        tag.delete()
    assert sorted(hub.pinged()) == sorted(own_feeds("tag", slug) | site_feeds())
