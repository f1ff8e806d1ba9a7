"""Signed webhooks: what is sent, when, how it is signed and retried, and where it may not go."""

import datetime
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from blog.models import Article, Author, Category
from editorial import outbound, webhooks, workflow
from editorial.forms import WebhookEndpointForm
from editorial.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.factories import make_article, make_author, make_picture, make_user

from .conftest import change_form_data

pytestmark = pytest.mark.django_db
Status = Article.Status
Delivery = WebhookDelivery.Status
SITE = "https://allforces.example"
SECRET = "whsec-テスト用-0123456789"
DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records each request and answers ``status``."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.headers = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                answer = "受け付けました".encode()
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/allforces"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def documents(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def events(self) -> list[str]:
        return [request["headers"]["X-Allforces-Event"] for request in self.requests]

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1, over plain HTTP
    settings.SITE_URL = SITE
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpoint.objects.create(name="編集部Slack連携", url=receiver.url, secret=SECRET, events=WebhookEvent.values)


@pytest.fixture
def chief(db):
    return make_user("chief", groups=["Editor-in-chief"])


@pytest.fixture
def editor(db):
    return make_user("editor", groups=["Editor"])


def in_review(title="推論サーバーの選び方", **kwargs):
    return make_article(
        title,
        status=Status.IN_REVIEW,
        category=Category.objects.get_or_create(name="生成AI")[0],
        tags=("LLM", "推論"),
        authors=[Author.objects.get_or_create(name=name)[0] for name in ("佐藤香織", "鈴木健")],
        **kwargs,
    )


def documented_verify():
    """The verification snippet of docs/webhooks.md, run as the receiver would run it."""
    [snippet] = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(snippet.strip().splitlines()) <= 10
    namespace = {}
    exec(snippet, namespace)  # noqa: S102 (our own documentation)
    return namespace["verify"]


# -- Signature and payload -------------------------------------------------------------------


def test_a_published_article_reaches_the_receiver_signed_as_the_documentation_verifies(
    receiver, endpoint, chief, django_capture_on_commit_callbacks
):
    article = in_review()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, chief)
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/allforces"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Allforces-Event"] == "article.published"
    verify = documented_verify()
    assert verify(SECRET, headers["X-Allforces-Signature"], body) is True
    assert verify("別のシークレット", headers["X-Allforces-Signature"], body) is False
    tampered = body.replace("推論サーバーの選び方".encode(), "改ざんされた題名".encode())
    assert tampered != body and verify(SECRET, headers["X-Allforces-Signature"], tampered) is False
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Allforces-Delivery"] == str(delivery.delivery_id)
    assert (delivery.status, delivery.response_code, delivery.attempts) == (Delivery.SUCCEEDED, 200, 1)
    assert delivery.response_excerpt == "受け付けました" and delivery.duration_ms is not None


def test_an_old_timestamp_fails_verification_even_with_a_valid_signature():
    verify = documented_verify()
    body = b'{"event":"article.published"}'
    old = int(time.time()) - 3600
    assert verify(SECRET, webhooks.sign(SECRET, old, body), body) is False
    assert verify(SECRET, webhooks.sign(SECRET, int(time.time()), body), body) is True
    assert verify(SECRET, "t=abc,v1=00", body) is False
    assert verify(SECRET, "", body) is False


def test_the_signature_covers_the_timestamp_and_the_body():
    body = "本文".encode()
    signed = webhooks.sign(SECRET, 1_700_000_000, body)
    assert signed.startswith("t=1700000000,v1=") and len(signed.split("v1=")[1]) == 64
    assert signed != webhooks.sign(SECRET, 1_700_000_001, body)
    assert signed != webhooks.sign(SECRET, 1_700_000_000, "本文。".encode())


def test_the_payload_is_the_full_public_article(receiver, endpoint, chief, django_capture_on_commit_callbacks):
    article = in_review(cover=make_picture(width=1600, height=900, alt="データセンターの夜景"))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, chief)
    [document] = receiver.documents()
    assert set(document) == {"event", "delivery_id", "created_at", "article"}
    assert document["event"] == "article.published"
    assert document["delivery_id"] == receiver.requests[0]["headers"]["X-Allforces-Delivery"]
    assert datetime.datetime.fromisoformat(document["created_at"]).utcoffset() == datetime.timedelta(hours=9)
    data = document["article"]
    assert data["title"] == "推論サーバーの選び方"
    assert data["url"] == SITE + article.get_absolute_url()
    assert data["excerpt"] == "LLMの推論コストについて解説します。"
    assert [(a["name"], a["url"]) for a in data["authors"]] == [
        (author.name, SITE + author.get_absolute_url()) for author in article.authors.all()
    ]
    assert data["category"] == {"name": "生成AI", "slug": article.category.slug, "url": SITE + article.category.get_absolute_url()}
    assert sorted(tag["name"] for tag in data["tags"]) == ["LLM", "推論"]
    article.refresh_from_db()
    assert datetime.datetime.fromisoformat(data["published_at"]) == article.published_at.replace(microsecond=0)
    assert "updated_at" in data
    cover = data["cover_image"]
    assert cover["url"].startswith(SITE) and cover["url"].endswith(".jpg")
    assert cover["alt"] == "データセンターの夜景" and cover["width"] <= 1200


def test_an_article_without_a_cover_says_so(receiver, endpoint, chief, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(in_review(), chief)
    assert receiver.documents()[0]["article"]["cover_image"] is None


def test_a_slack_endpoint_gets_a_slack_message(receiver, chief, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(
        name="Slack", url=receiver.url, secret=SECRET, events=["article.published"], payload_format=WebhookEndpoint.Format.SLACK
    )
    article = in_review(title="A<B & C")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, chief)
    [document] = receiver.documents()
    url = SITE + article.get_absolute_url()
    assert document["text"] == f"［公開］<{url}|A&lt;B &amp; C>"
    assert document["blocks"][0]["type"] == "section"
    assert "LLMの推論コストについて解説します。" in document["blocks"][0]["text"]["text"]
    assert "佐藤香織、鈴木健" in document["blocks"][1]["elements"][0]["text"]
    assert documented_verify()(SECRET, receiver.requests[0]["headers"]["X-Allforces-Signature"], receiver.requests[0]["body"])


# -- Which changes fire which event, once ----------------------------------------------------------


def test_each_transition_fires_its_event_exactly_once(receiver, endpoint, chief, editor, django_capture_on_commit_callbacks):
    scheduled = in_review()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(scheduled, editor, publish_at=timezone.now() + datetime.timedelta(hours=2))
    assert receiver.events() == ["article.scheduled"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reschedule(scheduled, editor, publish_at=timezone.now() + datetime.timedelta(hours=5))
    assert receiver.events() == ["article.scheduled"] * 2
    published = in_review("すぐ公開する記事")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(published, chief)
    assert receiver.events()[2:] == ["article.published"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(published, chief)
    assert receiver.events()[2:] == ["article.published", "article.unpublished"]
    assert WebhookDelivery.objects.count() == 4


def test_a_scheduled_article_fires_published_when_its_time_comes(receiver, endpoint, django_capture_on_commit_callbacks):
    article = make_article(status=Status.SCHEDULED, published_at=timezone.now() - datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_due()
    assert receiver.events() == ["article.published"]
    assert receiver.documents()[0]["article"]["title"] == article.title


def test_an_admin_edit_of_a_public_article_fires_one_update(client, receiver, endpoint, chief, django_capture_on_commit_callbacks):
    article = make_article("推論コストの話", tags=("LLM",))
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:blog_article_change", args=[article.pk]),
            change_form_data(article, title="推論コストの話（改訂）", tags="推論, GPU"),
        )
    assert response.status_code == 302
    assert receiver.events() == ["article.updated"]
    assert receiver.documents()[0]["article"]["title"] == "推論コストの話（改訂）"
    assert sorted(tag["name"] for tag in receiver.documents()[0]["article"]["tags"]) == ["GPU", "推論"]


def test_retagging_a_public_article_is_an_update(receiver, endpoint, django_capture_on_commit_callbacks):
    article = Article.objects.get(pk=make_article().pk)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            article.tags.set(["GPU"])
            article.authors.add(make_author("新しい著者"))
    assert receiver.events() == ["article.updated"]


def test_drafts_scheduled_articles_and_new_articles_fire_no_update(receiver, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(status=Status.DRAFT)
        draft.body += "\n\n下書きの追記"
        draft.save()
        draft.tags.add("下書きタグ")
        future = make_article(status=Status.SCHEDULED, published_at=timezone.now() + datetime.timedelta(days=1))
        future.title = "予約中の記事の題名変更"
        future.save()
        make_article("新しく作った公開記事")
    assert receiver.requests == [] and WebhookDelivery.objects.count() == 0


def test_re_rendering_and_rolled_back_edits_fire_nothing(receiver, endpoint, django_capture_on_commit_callbacks):
    article = make_article()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rerender_articles", verbosity=0)
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                article.title = "取り消される題名"
                article.save()
                raise RuntimeError
    assert receiver.requests == []


def test_only_active_endpoints_that_chose_the_event_hear_it(receiver, chief, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(name="公開のみ", url=receiver.url + "?only=published", events=["article.published"])
    WebhookEndpoint.objects.create(name="取り下げのみ", url=receiver.url + "?only=unpublished", events=["article.unpublished"])
    WebhookEndpoint.objects.create(name="停止中", url=receiver.url + "?off", events=WebhookEvent.values, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(in_review(), chief)
    assert [request["path"] for request in receiver.requests] == ["/hooks/allforces?only=published"]


def test_nothing_is_sent_before_the_commit(receiver, endpoint, chief, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(in_review(), chief)
        assert receiver.requests == [] and WebhookDelivery.objects.count() == 0
    assert len(receiver.requests) == 1


# -- Retries ---------------------------------------------------------------------------------


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS = 4 * 3600
    settings.WEBHOOK_RETRY_HOURS = 24


def run_worker():
    """``manage.py db_worker --batch`` (the test's own transaction kept open, as in tests/test_tasks.py)."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


def waiting_tasks():
    return DBTaskResult.objects.filter(task_path="editorial.webhooks.deliver", status=TaskResultStatus.READY)


def make_due():
    waiting_tasks().update(run_after=timezone.now() - datetime.timedelta(seconds=1))


def test_the_backoff_doubles_from_a_minute_up_to_four_hours(settings, database_tasks):
    delays = [webhooks.retry_delay(attempt).total_seconds() for attempt in range(1, 13)]
    assert delays[:9] == [60, 120, 240, 480, 960, 1920, 3840, 7680, 14400]
    assert delays[9:] == [14400] * 3


def test_a_failing_endpoint_is_tried_again_later_and_later_until_it_answers(
    receiver, endpoint, database_tasks, chief, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(in_review(), chief)
    assert receiver.requests == []  # the request only wrote rows; the worker sends
    receiver.status = 503
    for attempt in (1, 2, 3):
        make_due()
        run_worker()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_code) == (Delivery.RETRYING, attempt, 503)
        assert delivery.next_attempt_at - delivery.last_attempt_at == datetime.timedelta(seconds=60 * 2 ** (attempt - 1))
        [task] = waiting_tasks()
        assert task.run_after == delivery.next_attempt_at
    run_worker()
    assert len(receiver.requests) == 3, "nothing is sent before the next try is due"
    failed = DBTaskResult.objects.filter(task_path="editorial.webhooks.deliver", status=TaskResultStatus.FAILED)
    assert failed.count() == 3, "each failed attempt is a failed background task too"
    assert {row.exception_class_path for row in failed} == {"editorial.webhooks.DeliveryFailed"}
    receiver.status = 202
    make_due()
    run_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.next_attempt_at) == (Delivery.SUCCEEDED, 4, 202, None)
    assert not waiting_tasks().exists()
    ids = {request["headers"]["X-Allforces-Delivery"] for request in receiver.requests}
    assert ids == {str(delivery.delivery_id)}, "every try carries the same delivery id"


def test_an_endpoint_down_for_a_day_is_given_up(receiver, endpoint, database_tasks):
    receiver.status = 500
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="article.published", payload={"title": "x"})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - datetime.timedelta(hours=23, minutes=59))
    webhooks.deliver.enqueue(delivery.pk)
    run_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Delivery.FAILED, 1, None)
    assert not waiting_tasks().exists()


def test_a_day_of_retries_is_about_a_dozen_attempts(receiver, endpoint, database_tasks):
    receiver.status = 503
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="article.published", payload={"title": "x"})
    started = delivery.created_at
    webhooks.deliver.enqueue(delivery.pk)
    for _ in range(30):
        run_worker()
        delivery.refresh_from_db()
        if delivery.status == Delivery.FAILED:
            break
        # jump to the planned time, as if the clock had moved on
        shift = delivery.next_attempt_at - timezone.now()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=started - shift)
        started -= shift
        make_due()
    assert delivery.status == Delivery.FAILED
    assert len(receiver.requests) == delivery.attempts == 13
    assert not waiting_tasks().exists()


@pytest.mark.parametrize("status, retried", [(400, False), (401, False), (404, False), (410, False), (408, True), (429, True), (502, True)])
def test_a_4xx_answer_ends_the_delivery_but_408_and_429_are_retried(receiver, endpoint, database_tasks, status, retried):
    receiver.status = status
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="article.published", payload={"title": "x"})
    webhooks.deliver.enqueue(delivery.pk)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.response_code == status and delivery.attempts == 1
    assert delivery.status == (Delivery.RETRYING if retried else Delivery.FAILED)
    assert waiting_tasks().exists() is retried


def test_a_redirect_is_not_followed(receiver, endpoint, database_tasks):
    receiver.status = 302
    receiver.headers = {"Location": receiver.url + "/moved"}
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="article.published", payload={"title": "x"})
    webhooks.deliver.enqueue(delivery.pk)
    run_worker()
    delivery.refresh_from_db()
    assert [request["path"] for request in receiver.requests] == ["/hooks/allforces"]
    assert (delivery.status, delivery.response_code) == (Delivery.FAILED, 302)
    assert "リダイレクト" in delivery.error


def test_an_unreachable_endpoint_is_a_network_error_worth_retrying(receiver, database_tasks):
    receiver.stop()
    endpoint = WebhookEndpoint.objects.create(name="停止した受信側", url=receiver.url, events=WebhookEvent.values)
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="article.published", payload={"title": "x"})
    webhooks.deliver.enqueue(delivery.pk)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.RETRYING and delivery.response_code is None
    assert "ConnectionRefusedError" in delivery.error


# -- SSRF ------------------------------------------------------------------------------------


@pytest.fixture
def production_rules(settings):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.SITE_URL = SITE


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.8.9.10/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://[ff02::1]/hook",
        "https://localhost/hook",
        "https://localhost.:8443/hook",
    ],
)
def test_addresses_inside_our_network_are_refused(production_rules, url):
    with pytest.raises(outbound.UnsafeURL):
        outbound.check_url(url)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert outbound.is_forbidden_address(address) is False


def test_only_https_in_production(production_rules):
    with pytest.raises(outbound.UnsafeURL, match="https://"):
        outbound.check_url("http://hooks.example.com/allforces")
    with pytest.raises(outbound.UnsafeURL):
        outbound.check_url("ftp://hooks.example.com/allforces")


def test_the_admin_form_refuses_a_private_address(production_rules):
    form = WebhookEndpointForm(
        data={"name": "社内", "url": "https://[::ffff:127.0.0.1]:8104/hook", "events": ["article.published"],
              "payload_format": "generic", "secret": SECRET, "is_active": "on"}
    )  # fmt: skip
    assert not form.is_valid()
    assert "社内・ローカルのアドレス" in form.errors["url"][0]


def test_a_saved_endpoint_pointing_inside_is_refused_at_delivery_time(receiver, endpoint, settings, database_tasks):
    # saved while allowed (or its name re-pointed since): the delivery checks again
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.DEBUG = True  # plain http allowed, private addresses still not
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="article.published", payload={"title": "x"})
    webhooks.deliver.enqueue(delivery.pk)
    run_worker()
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == Delivery.FAILED and "127.0.0.1" in delivery.error
    assert not waiting_tasks().exists()


def test_a_host_name_is_judged_by_the_addresses_it_resolves_to(receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.DEBUG = True
    url = receiver.url.replace("127.0.0.1", "localhost")
    with pytest.raises(outbound.UnsafeURL, match="localhost"):
        outbound.post(url, b"{}", {}, timeout=2)
    assert receiver.requests == []


# -- Admin -----------------------------------------------------------------------------------


def test_the_editor_in_chief_may_manage_webhooks_and_writers_and_editors_may_not(client, chief, editor):
    writer = make_user("writer", groups=["Writer"])
    assert chief.has_perm("editorial.manage_webhooks")
    for user, allowed in ((chief, True), (editor, False), (writer, False)):
        client.force_login(user)
        for name in ("admin:editorial_webhookendpoint_changelist", "admin:editorial_webhookendpoint_add",
                     "admin:editorial_webhookdelivery_changelist"):  # fmt: skip
            assert client.get(reverse(name)).status_code == (200 if allowed else 403), (user, name)
        index = client.get(reverse("admin:index")).content.decode()
        assert ("Webhook送信先" in index) is allowed


def test_an_endpoint_is_created_in_the_admin_with_its_events(client, chief, receiver):
    client.force_login(chief)
    response = client.post(
        reverse("admin:editorial_webhookendpoint_add"),
        {"name": "ニュースレター", "url": receiver.url, "events": ["article.published", "article.updated"],
         "payload_format": "generic", "secret": SECRET, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["article.published", "article.updated"] and endpoint.secret == SECRET
    assert client.get(reverse("admin:editorial_webhookendpoint_change", args=[endpoint.pk])).status_code == 200


def test_the_delivery_log_shows_the_answer_and_sends_again(client, chief, receiver, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(in_review(), chief)
    first = WebhookDelivery.objects.get()
    client.force_login(chief)
    listing = client.get(reverse("admin:editorial_webhookdelivery_changelist")).content.decode()
    assert "推論サーバーの選び方" in listing and "成功" in listing
    page = client.get(reverse("admin:editorial_webhookdelivery_change", args=[first.pk])).content.decode()
    resend_url = reverse("admin:editorial_webhookdelivery_resend", args=[first.pk])
    assert resend_url in page and "再送する" in page and "受け付けました" in page
    assert client.get(resend_url).status_code == 302 and WebhookDelivery.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url)
    again = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302 and response.url == reverse("admin:editorial_webhookdelivery_change", args=[again.pk])
    assert (again.resent_from, again.event, again.status) == (first, "article.published", Delivery.SUCCEEDED)
    assert again.delivery_id != first.delivery_id
    assert [request["headers"]["X-Allforces-Delivery"] for request in receiver.requests] == [str(first.delivery_id), str(again.delivery_id)]
    assert receiver.documents()[1]["article"] == receiver.documents()[0]["article"]


def test_a_writer_cannot_send_again(client, receiver, endpoint):
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="article.published", payload={"title": "x"})
    client.force_login(make_user("writer", groups=["Writer"]))
    assert client.post(reverse("admin:editorial_webhookdelivery_resend", args=[delivery.pk])).status_code == 403
    assert WebhookDelivery.objects.count() == 1 and receiver.requests == []
