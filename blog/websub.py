"""WebSub: every feed names a hub, and the hub hears whenever a public article changes.

With ``WEBSUB_HUB`` set (``DJANGO_WEBSUB_HUB``), each RSS and Atom feed declares ``rel="hub"``
and its own address as ``rel="self"`` (blog/feeds.py); each JSON Feed lists the hub in ``hubs``
next to its ``feed_url`` (blog/json_feed.py). Publishing, unpublishing, editing or deleting a public
article pings the hub — a form-encoded ``POST`` of ``hub.mode=publish`` and ``hub.url=<feed>`` —
once for each feed the article appears in, or appeared in before the change (``feed_urls_for``):
the site's, its category's, each tag's, each author's and its series', in RSS, Atom and JSON Feed. Each ping is a
``ping_hub`` task, enqueued after the commit and retried with backoff (config/tasks.py).

Which changes count is decided by signals on ``Article`` and its tag and author relations, so
every writer (the workflow, the admin, the importer) is covered. Renaming a tag, category or
author (or changing its slug), merging tags, and deleting a tag or author change how the
site's feeds and its own feeds name it: those feeds are pinged too, when it has a public article. Re-rendering stored HTML
(``rerender_articles``, a partial save of derived fields only) pings nothing. A scheduled
article becomes public without any save: its pings are enqueued for its publication time
where the task backend can defer, and ``publish_scheduled`` recording the publication pings again.
"""

import logging
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.urls import reverse
from django.utils import timezone

from config.tasks import PermanentFailure, retryable_status, retrying_task

from . import stored_html
from .models import Article, Author, Category, SeriesEntry, Tag, tag_merged

logger = logging.getLogger(__name__)

# Every feed format, by what it lists: one URL name per format. A new format adds its name here.
SITE_FEEDS = ("blog:feed", "blog:feed-atom", "blog:feed-json")
CATEGORY_FEEDS = ("blog:category-feed", "blog:category-feed-atom", "blog:category-feed-json")
TAG_FEEDS = ("blog:tag-feed", "blog:tag-feed-atom", "blog:tag-feed-json")
AUTHOR_FEEDS = ("blog:author-feed", "blog:author-feed-atom", "blog:author-feed-json")
SERIES_FEEDS = ("blog:series-feed", "blog:series-feed-atom", "blog:series-feed-json")


def hub() -> str:
    """The configured hub, or ``""`` when WebSub is off."""
    return settings.WEBSUB_HUB


def feed_url(name: str, slug: str | None = None) -> str:
    """The absolute address of a feed, exactly as the feed gives it as ``rel="self"``."""
    return settings.SITE_URL + reverse(name, kwargs={"slug": slug} if slug is not None else {})


def feed_urls_for(article: Article) -> list[str]:
    """Every feed ``article`` appears in while public: the site's, its category's, each tag's,
    each author's and its series', in every format, in that order."""
    urls = [feed_url(name) for name in SITE_FEEDS]
    if article.category_id is not None:
        urls += [feed_url(name, article.category.slug) for name in CATEGORY_FEEDS]
    for tag in article.tags.all():
        urls += [feed_url(name, tag.slug) for name in TAG_FEEDS]
    for author in article.authors.all():
        urls += [feed_url(name, author.slug) for name in AUTHOR_FEEDS]
    entry = SeriesEntry.objects.filter(article_id=article.pk).select_related("series").first() if article.pk else None
    if entry is not None:
        urls += [feed_url(name, entry.series.slug) for name in SERIES_FEEDS]
    return list(dict.fromkeys(urls))


@retrying_task
def ping_hub(hub_url: str, feed: str) -> int:
    """Tell ``hub_url`` that ``feed`` has changed; return the hub's status code.

    Raises for anything but a 2xx answer (``urllib`` raises ``HTTPError`` for 4xx and 5xx), so
    the task is retried; a 4xx other than 408 and 429 raises ``PermanentFailure``: the hub
    refused the ping itself, and asking again would get the same answer.
    """
    if urlsplit(hub_url).scheme not in {"http", "https"}:
        raise ValueError(f"not an http(s) hub: {hub_url!r}")
    request = Request(
        hub_url,
        data=urlencode({"hub.mode": "publish", "hub.url": feed}).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": f"{settings.SITE_NAME} WebSub"},
        method="POST",
    )
    try:
        with urlopen(request, timeout=settings.WEBSUB_TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
            return response.status
    except HTTPError as error:
        if not retryable_status(error.code):
            raise PermanentFailure(f"hub answered {error.code} for {feed}") from error
        raise


# -- What changed in this transaction ----------------------------------------------------


def _public_article(pk) -> Article | None:
    return Article.objects.published().select_related("category").prefetch_related("tags", "authors").filter(pk=pk).first()


class _Pending(dict):
    """Article pk → feeds it was in before, for every article changed in one transaction."""

    flushed = False

    def flush(self) -> None:
        if not self.flushed:
            self.flushed = True
            _flush(self)


def _changed(pk, before: set[str]) -> None:
    """Remember that article ``pk`` changed (``before``: its feeds before the change); ping
    once after the commit for everything remembered in this transaction.

    Every change adds a callback, and the first to run after the commit sends for all of
    them: a change that saves an article and sets its tags and authors pings each feed once.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _flush({pk: set(before)})
        return
    pending = getattr(connection, "_websub_pending", None)
    waiting = pending is not None and not pending.flushed and any(
        getattr(func, "pending", None) is pending for _sids, func, _robust in connection.run_on_commit
    )
    if not waiting:  # none yet, already sent, or its callbacks were rolled back with a savepoint
        pending = connection._websub_pending = _Pending()
    pending.setdefault(pk, set()).update(before)

    def flush():
        pending.flush()

    flush.pending = pending
    transaction.on_commit(flush, robust=True)


def _flush(pending: dict) -> None:
    hub_url = hub()
    if not hub_url:
        return
    urls = set()  # the site's feeds once, however many articles changed together
    for pk, before in pending.items():
        urls.update(before)
        if pk is None:  # feeds named directly (a renamed or merged tag, category or author)
            continue
        article = _public_article(pk)
        if article is not None:
            urls.update(feed_urls_for(article))
        else:
            _ping_at_publication(pk, hub_url)
    for url in sorted(urls):
        ping_hub.enqueue(hub_url, url)


def _ping_at_publication(pk, hub_url: str) -> None:
    """A scheduled article: its feeds change at its publication time, without any save."""
    article = (
        Article.objects.filter(pk=pk, status=Article.Status.SCHEDULED, published_at__gt=timezone.now())
        .select_related("category")
        .prefetch_related("tags", "authors")
        .first()
    )
    if article is None or not ping_hub.get_backend().supports_defer:
        return
    for url in feed_urls_for(article):
        ping_hub.using(run_after=article.published_at).enqueue(hub_url, url)


# -- Signal receivers ----------------------------------------------------------------------


def _feeds_now(pk) -> set[str]:
    article = _public_article(pk) if pk is not None else None
    return set(feed_urls_for(article)) if article is not None else set()


def article_saving(sender, instance, update_fields=None, raw=False, **kwargs):
    if not hub() or raw:
        return
    if update_fields is not None and set(update_fields) <= {*Article.DERIVED_FIELDS, *stored_html.STORED_FIELDS}:
        instance._websub_before = None  # a re-render: what readers see did not change
        return
    instance._websub_before = _feeds_now(instance.pk)


def article_saved(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "_websub_before", None)
    if not hub() or raw or before is None:
        return
    del instance._websub_before
    _changed(instance.pk, before)


def article_deleting(sender, instance, **kwargs):
    if hub():
        instance._websub_before = _feeds_now(instance.pk)


def article_deleted(sender, instance, **kwargs):
    before = getattr(instance, "_websub_before", None)
    if hub() and before:
        _changed(instance.pk, before)


def relation_changing(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    """An article's tags or authors change: the feeds it leaves and the ones it joins both change."""
    if not hub() or not isinstance(instance, Article):
        return
    if action in ("pre_remove", "pre_clear"):
        _changed(instance.pk, _feeds_now(instance.pk))
    elif action == "post_add":
        _changed(instance.pk, set())


# -- Renamed, merged and deleted tags, categories and authors ------------------------------------

TAXONOMY_FEEDS = {Category: CATEGORY_FEEDS, Tag: TAG_FEEDS, Author: AUTHOR_FEEDS}
TAXONOMY_RELATION = {Category: "category", Tag: "tagged_items__tag", Author: "authors"}


def _has_public_articles(obj) -> bool:
    relation = TAXONOMY_RELATION[type(obj)]
    return Article.objects.published().filter(**{relation: obj.pk}).exists()


def taxonomy_feeds(obj, slugs) -> set[str]:
    """The feeds of a tag, category or author (one slug or several: before and after a change),
    and the site's feeds, whose items name it."""
    urls = {feed_url(name) for name in SITE_FEEDS}
    for slug in slugs:
        urls |= {feed_url(name, slug) for name in TAXONOMY_FEEDS[type(obj)]}
    return urls


def taxonomy_saving(sender, instance, raw=False, **kwargs):
    instance._websub_named = None
    if not hub() or raw or instance.pk is None:
        return
    instance._websub_named = sender._default_manager.filter(pk=instance.pk).values_list("name", "slug").first()


def taxonomy_saved(sender, instance, created=False, raw=False, **kwargs):
    """A rename (or a new slug): the name shows in its own feeds and in every item of the site's."""
    before = getattr(instance, "_websub_named", None)
    instance._websub_named = None
    if not hub() or raw or created or before is None or before == (instance.name, instance.slug):
        return
    if _has_public_articles(instance):
        _changed(None, taxonomy_feeds(instance, {before[1], instance.slug}))


def taxonomy_deleting(sender, instance, **kwargs):
    """A deleted tag or author drops off its public articles (their rows go by cascade, without m2m signals)."""
    if hub() and _has_public_articles(instance):
        _changed(None, taxonomy_feeds(instance, {instance.slug}))


def tags_merging(sender, source, target, **kwargs):
    """A merge moves ``source``'s articles to ``target``: both tags' feeds change, and the site's."""
    if hub() and (_has_public_articles(source) or _has_public_articles(target)):
        _changed(None, taxonomy_feeds(source, {source.slug}) | taxonomy_feeds(target, {target.slug}))


def connect_signals() -> None:
    from .models import TaggedArticle

    for model in TAXONOMY_FEEDS:
        pre_save.connect(taxonomy_saving, sender=model, dispatch_uid=f"blog.websub.pre_save.{model.__name__}")
        post_save.connect(taxonomy_saved, sender=model, dispatch_uid=f"blog.websub.post_save.{model.__name__}")
        pre_delete.connect(taxonomy_deleting, sender=model, dispatch_uid=f"blog.websub.pre_delete.{model.__name__}")
    tag_merged.connect(tags_merging, sender=Tag, dispatch_uid="blog.websub.tag_merged")

    pre_save.connect(article_saving, sender=Article, dispatch_uid="blog.websub.pre_save")
    post_save.connect(article_saved, sender=Article, dispatch_uid="blog.websub.post_save")
    pre_delete.connect(article_deleting, sender=Article, dispatch_uid="blog.websub.pre_delete")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="blog.websub.post_delete")
    for through in (Article.authors.through, TaggedArticle):
        m2m_changed.connect(relation_changing, sender=through, dispatch_uid=f"blog.websub.m2m.{through.__name__}")
