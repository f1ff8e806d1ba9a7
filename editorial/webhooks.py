"""Signed webhooks: tell the newsroom's tools the moment an article is published, changed or taken down.

Events (``WebhookEvent``): ``article.published`` (the ``publish`` and ``publish_due`` edges),
``article.unpublished`` (``unpublish``), ``article.scheduled`` (``approve`` and ``reschedule``)
from the workflow (``transition_made``), and ``article.updated`` for an edit of a public
article — its text, classification, tags or authors — caught by signals on ``Article`` and its
tag and author relations at the same moments WebSub pings (blog/websub.py), so the admin, the
importer and any other writer are covered. State changes themselves are not edits; re-rendering
stored HTML is not either.

Everything happens after the commit: the article is serialized as the Content API shows it
(``payload``), one ``WebhookDelivery`` row is written per endpoint that listens to the event,
and each is sent by the ``deliver`` task — signed with HMAC-SHA256 over ``<timestamp>.<body>``
(``sign``), posted through ``editorial.outbound`` (SSRF checks), and tried again with
exponential backoff (``retry_delay``) on a network error, a 5xx, 408 or 429, for up to
``WEBHOOK_RETRY_HOURS`` after the event. Any other answer ends the delivery. docs/webhooks.md
is the receiver's guide.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import timezone
from django_tasks import task

from blog import pictures
from blog.api.views import article_fields
from blog.json_feed import rfc3339
from blog.models import Article, TaggedArticle
from config.tasks import retryable_status

from . import outbound
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent


SIGNATURE_HEADER = "X-Allforces-Signature"
EVENT_HEADER = "X-Allforces-Event"
DELIVERY_HEADER = "X-Allforces-Delivery"
EXCERPT_CHARS = 1000

# Workflow edge → event (editorial.workflow.EDGES; ``reschedule`` is its own edge).
EDGE_EVENTS = {
    "publish": WebhookEvent.PUBLISHED,
    "publish_due": WebhookEvent.PUBLISHED,
    "unpublish": WebhookEvent.UNPUBLISHED,
    "approve": WebhookEvent.SCHEDULED,
    "reschedule": WebhookEvent.SCHEDULED,
}
# A save writing only these is a state change or a re-render, not an edit.
NOT_AN_EDIT = {"status", "published_at", *Article.DERIVED_FIELDS}


# -- The payload ---------------------------------------------------------------------------


class _Site:
    """What ``article_fields`` needs of a request: absolute addresses on ``DJANGO_SITE_URL``."""

    def build_absolute_uri(self, location: str) -> str:
        return location if "://" in location else settings.SITE_URL + location


def _json_ready(value):
    if isinstance(value, datetime.datetime):
        return rfc3339(value)
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return value


def cover_image(article: Article) -> dict | None:
    """The cover's share crop (JPEG, about 1200 pixels wide) as ``{url, width, height, alt}``, or None."""
    if not article.cover_id:
        return None
    found = pictures.share_rendition(article.cover)
    if found is None:
        return None
    return {**found, "url": _Site().build_absolute_uri(found["url"]), "alt": article.cover.alt}


def payload(article: Article) -> dict:
    """The article as the Content API's ``ArticleSummary`` gives it, plus its cover image."""
    fields = _json_ready(article_fields(_Site(), article))
    fields["cover_image"] = cover_image(article)
    return fields


def body(delivery: WebhookDelivery) -> bytes:
    """The bytes sent: the generic JSON document, or a Slack message (``slack_message``)."""
    if delivery.endpoint.payload_format == WebhookEndpoint.Format.SLACK:
        document = slack_message(delivery.event, delivery.payload)
    else:
        document = {
            "event": delivery.event,
            "delivery_id": str(delivery.delivery_id),
            "created_at": rfc3339(delivery.created_at),
            "article": delivery.payload,
        }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


SLACK_LABELS = {
    WebhookEvent.PUBLISHED: "公開",
    WebhookEvent.UPDATED: "更新",
    WebhookEvent.UNPUBLISHED: "公開取り下げ",
    WebhookEvent.SCHEDULED: "公開予約",
}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(event: str, article: dict) -> dict:
    """A Slack Incoming Webhook message: ``text`` (the notification) and ``blocks`` (the card)."""
    label = SLACK_LABELS[event]
    title = _slack_escape(article["title"])
    headline = f"［{label}］<{article['url']}|{title}>"
    if event == WebhookEvent.SCHEDULED:
        headline += f"（{article['published_at'][:16].replace('T', ' ')} 公開予定）"
    context = "、".join(_slack_escape(author["name"]) for author in article["authors"]) or "著者未設定"
    if article.get("category"):
        context += f" ｜ {_slack_escape(article['category']['name'])}"
    if article["tags"]:
        context += " ｜ " + " ".join(f"#{_slack_escape(tag['name'])}" for tag in article["tags"])
    section = {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*\n{_slack_escape(article['excerpt'])}"}}
    if article.get("cover_image"):
        section["accessory"] = {"type": "image", "image_url": article["cover_image"]["url"], "alt_text": article["cover_image"]["alt"]}
    return {
        "text": headline,
        "blocks": [section, {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]}],
        "unfurl_links": False,
    }


def sign(secret: str, timestamp: int, content: bytes) -> str:
    """The signature header's value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "t." + body>``."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + content, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# -- Sending -------------------------------------------------------------------------------


class DeliveryFailed(Exception):
    """An attempt did not get a 2xx answer (the delivery log says why and what comes next)."""


def retry_delay(attempt: int) -> datetime.timedelta:
    """The wait after failed attempt ``attempt``: BASE × 2^(attempt − 1), at most MAX."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    return datetime.timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS))


def give_up_at(delivery: WebhookDelivery) -> datetime.datetime:
    return delivery.created_at + datetime.timedelta(hours=settings.WEBHOOK_RETRY_HOURS)


@task()
def deliver(delivery_pk: int) -> str:
    """Make one attempt at a delivery, log it, and plan the next one when it may succeed later.

    Returns the delivery's status, or raises ``DeliveryFailed`` after logging a failed attempt
    (so that 「バックグラウンド処理」 shows it failed too; the next attempt is its own task). Runs
    on the worker, outside any transaction while it waits on the network; a delivery already
    ended (a duplicate run) is left alone.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_pk).first()
    if delivery is None:
        return "missing"
    if delivery.status in (WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED):
        return delivery.status
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    delivery.next_attempt_at = None
    if not delivery.endpoint.is_active:
        delivery.status, delivery.error = WebhookDelivery.Status.FAILED, "送信先が無効になっているため送信しませんでした。"
        retry = False
    else:
        retry = _attempt(delivery)
    if retry:
        next_at = delivery.last_attempt_at + retry_delay(delivery.attempts)
        if next_at <= give_up_at(delivery) and deliver.get_backend().supports_defer:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.RETRYING, next_at
        else:
            delivery.status = WebhookDelivery.Status.FAILED
    elif delivery.status != WebhookDelivery.Status.SUCCEEDED:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    if delivery.next_attempt_at is not None:
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    if delivery.status != WebhookDelivery.Status.SUCCEEDED:
        planned = delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else "none (given up)"
        raise DeliveryFailed(
            f"{delivery.event} {delivery.delivery_id} attempt {delivery.attempts}: "
            f"{delivery.response_code or delivery.error}; next attempt: {planned}"
        )
    return delivery.status


def _attempt(delivery: WebhookDelivery) -> bool:
    """Send once, record the answer on ``delivery``; whether trying again later may help."""
    content = body(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"{settings.SITE_NAME}-Webhooks/1",
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, int(time.time()), content),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.delivery_id),
    }
    delivery.response_code = delivery.duration_ms = None
    delivery.response_excerpt = delivery.error = ""
    started = time.monotonic()
    try:
        response = outbound.post(delivery.endpoint.url, content, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except outbound.UnsafeURL as refused:
        delivery.error = str(refused)
        return False
    except (OSError, http.client.HTTPException) as error:
        delivery.duration_ms = round((time.monotonic() - started) * 1000)
        delivery.error = f"{type(error).__name__}: {error}"[:2000]
        return True
    delivery.response_code, delivery.duration_ms = response.status, response.duration_ms
    delivery.response_excerpt = response.body.decode("utf-8", "replace")[:EXCERPT_CHARS]
    if 200 <= response.status < 300:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        return False
    if 300 <= response.status < 400:
        delivery.error = "リダイレクトはたどりません。送信先URLを移転先に変更してください。"
    return retryable_status(response.status)


def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery (new id and time, same article data)."""
    again = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        article=delivery.article,
        payload=delivery.payload,
        resent_from=delivery,
    )
    transaction.on_commit(lambda: deliver.enqueue(again.pk), robust=True)
    return again


# -- Events --------------------------------------------------------------------------------


def fire(event: str, article_pk: int) -> list[WebhookDelivery]:
    """Write a delivery of ``event`` for every active endpoint that listens to it, and enqueue them.

    Called after the commit: the article is read as it then is.
    """
    endpoints = [endpoint for endpoint in WebhookEndpoint.objects.filter(is_active=True) if endpoint.hears(event)]
    if not endpoints:
        return []
    article = Article.objects.select_related("category", "cover").prefetch_related("authors", "tags").filter(pk=article_pk).first()
    if article is None or article.published_at is None:
        return []
    data = payload(article)
    deliveries = [WebhookDelivery.objects.create(endpoint=endpoint, event=event, article=article, payload=data) for endpoint in endpoints]
    for delivery in deliveries:
        deliver.enqueue(delivery.pk)
    return deliveries


def _fire_on_commit(event: str, article_pk: int) -> None:
    """Fire ``event`` once after the commit, however many changes of this transaction ask for it."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        fire(event, article_pk)
        return
    pending = getattr(connection, "_webhooks_pending", None)
    if pending is None or pending["done"] or not any(
        getattr(func, "webhooks_pending", None) is pending for _sids, func, _robust in connection.run_on_commit
    ):
        pending = connection._webhooks_pending = {"done": False, "events": {}}
    pending["events"].setdefault((event, article_pk), None)

    def flush():
        if pending["done"]:
            return
        pending["done"] = True
        events = list(pending["events"])
        # a transition's own save is no edit, and its event already says the article changed
        said = {pk for name, pk in events if name != WebhookEvent.UPDATED}
        for name, pk in events:
            if name == WebhookEvent.UPDATED and pk in said:
                continue
            fire(name, pk)

    flush.webhooks_pending = pending
    transaction.on_commit(flush, robust=True)


def transition_made(article: Article, transition) -> None:
    """The workflow took an edge (called inside its transaction): fire its event after the commit."""
    event = EDGE_EVENTS.get(transition.edge)
    if event is not None:
        _fire_on_commit(event, article.pk)


def _is_public(pk) -> bool:
    return pk is not None and Article.objects.published().filter(pk=pk).exists()


def article_saving(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and set(update_fields) <= NOT_AN_EDIT):
        instance._webhooks_was_public = False
        return
    instance._webhooks_was_public = _is_public(instance.pk)


def article_saved(sender, instance, created=False, raw=False, **kwargs):
    was_public = getattr(instance, "_webhooks_was_public", False)
    instance._webhooks_was_public = False
    # A new article's tags and authors are set right after it is created: that is no edit
    # (``relation_changed``). Any later save of the same object ends its newness.
    instance._webhooks_new = created and not raw
    if was_public and not created and instance.is_published:
        _fire_on_commit(WebhookEvent.UPDATED, instance.pk)


def relation_changed(sender, instance, action, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance, Article):
        return
    if not getattr(instance, "_webhooks_new", False) and _is_public(instance.pk):
        _fire_on_commit(WebhookEvent.UPDATED, instance.pk)


def connect_signals() -> None:
    pre_save.connect(article_saving, sender=Article, dispatch_uid="editorial.webhooks.pre_save")
    post_save.connect(article_saved, sender=Article, dispatch_uid="editorial.webhooks.post_save")
    for through in (Article.authors.through, TaggedArticle):
        m2m_changed.connect(relation_changed, sender=through, dispatch_uid=f"editorial.webhooks.m2m.{through.__name__}")
