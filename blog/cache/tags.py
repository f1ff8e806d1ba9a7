"""Cache tags: the names of what a kept page or fragment shows, and what each change invalidates.

The vocabulary (every tag is ASCII, without spaces or commas, so that it fits ``Cache-Tag`` and
``Surrogate-Key`` as it is):

==========================  ===========================================================================
``article:<id>``            the article itself: its page, its card, its feed item, its line in a series box
``category:<id>``           a category's name and address (likewise ``tag:``, ``author:``, ``series:``)
``picture:<id>``            a cover or an author's photo (its crop and renditions)
``category:<id>:articles``  which public articles a category lists, in which order (likewise for tags,
                            authors and series): its page, its feeds, related-article rankings
``articles``                which public articles the site lists: home, archives, the site's feeds,
                            the index pages' counts, the next scheduled publication
``categories``              the navigation (the categories that have a public article)
``tags`` ``authors``        the index pages of tags, authors and series (any member renamed)
``series-index``
``search``                  remembered searches, suggestions and their filters
``aliases``                 the search alias table
``sitemap``                 the sitemaps (addresses and dates of every public page)
==========================  ===========================================================================

A save that cannot change a public page invalidates nothing: an article that neither was nor is
published or scheduled (a draft, an article in review), and every editorial row (review comments,
revisions, share links, assignments). Changes are collected per transaction and invalidated once
after the commit (``blog.cache.purge.invalidate``), where the CDN purge hook hears of them too.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

ARTICLES = "articles"
CATEGORIES = "categories"
SEARCH = "search"
ALIASES = "aliases"
SITEMAP = "sitemap"
INDEXES = {"Tag": "tags", "Author": "authors", "Series": "series-index", "Category": CATEGORIES}


def of(obj) -> str:
    """The tag of one object: ``article:12``, ``tag:3``…"""
    return f"{type(obj).__name__.lower()}:{obj.pk}"


def listing(obj=None) -> str:
    """The tag of a list of public articles: the site's (``articles``) or one object's."""
    return ARTICLES if obj is None else f"{of(obj)}:articles"


def shown_article(article) -> set[str]:
    """What an article's card, header or feed item shows: the article, its category, cover,
    authors and tags (stored with its HTML, or read from the rows already fetched: ``for_listing`` prefetches them)."""
    shown = {f"article:{article.pk}"}
    if article.category_id:
        shown.add(f"category:{article.category_id}")
    if article.cover_id:
        shown.add(f"picture:{article.cover_id}")
    from ..stored_html import stored_tags

    stored = stored_tags(article)
    if stored is not None:  # a card read with its stored HTML: the tags it shows came with it
        shown.update(stored)
        return shown
    shown.update(f"author:{author.pk}" for author in article.authors.all())
    shown.update(f"tag:{tag.pk}" for tag in article.tags.all())
    return shown


def shown(*objects) -> set[str]:
    """The tags of everything in ``objects``: articles (with what they show), other model rows,
    or tag names as they are."""
    from ..models import Article

    found = set()
    for obj in objects:
        if obj is None:
            continue
        if isinstance(obj, str):
            found.add(obj)
        elif hasattr(obj, "cache_tags"):
            found |= set(obj.cache_tags())
        elif isinstance(obj, Article):
            found |= shown_article(obj)
        else:
            found.add(of(obj))
            photo = getattr(obj, "photo_id", None)
            if photo:
                found.add(f"picture:{photo}")
    return found


# -- What a change invalidates ------------------------------------------------------------------


def _is_public(status) -> bool:
    from ..models import Article

    return status in Article.PUBLIC_STATUSES


STATE_FIELDS = ("status", "published_at", "category_id")


def article_state(article) -> tuple | None:
    """What decides where an article is listed: ``(public, published_at, category_id)``; ``None``
    when the row was read without one of them (deferred): unknown."""
    values = article.__dict__
    if any(name not in values for name in STATE_FIELDS):
        return None
    return (values["status"] in type(article).PUBLIC_STATUSES, values["published_at"], values["category_id"])


UNKNOWN = (True, None, None)  # a state not known: taken as public and listed elsewhere


def memberships(article) -> set[str]:
    """The lists an article is on: the site's, and its category's, tags', authors' and series'."""
    from ..models import Article, SeriesEntry, TaggedArticle

    found = {ARTICLES}
    if article.category_id:
        found.add(f"category:{article.category_id}:articles")
    found.update(f"tag:{pk}:articles" for pk in TaggedArticle.objects.filter(content_object_id=article.pk).values_list("tag_id", flat=True))
    found.update(f"author:{pk}:articles" for pk in Article.authors.through.objects.filter(article_id=article.pk).values_list("author_id", flat=True))
    found.update(f"series:{pk}:articles" for pk in SeriesEntry.objects.filter(article_id=article.pk).values_list("series_id", flat=True))
    return found


def category_flipped(category_id, article_pk) -> bool:
    """Whether the navigation changes when ``article_pk`` joins or leaves ``category_id``: it
    does when no other public article is in that category."""
    from ..models import Article

    return not Article.objects.published().filter(category_id=category_id).exclude(pk=article_pk).exists()


def article_changed(article, before, *, deleted=False, lists=None) -> set[str]:
    """The tags a saved (or deleted) article invalidates; ``before`` is its state when read
    (``article_state``), ``None`` for a new article."""
    if deleted:
        after = (False, None, None)
    else:  # read now, deferred fields included (a save by a partial row)
        after = (article.status in type(article).PUBLIC_STATUSES, article.published_at, article.category_id)
    was_public = bool(before and before[0])
    if not (was_public or after[0]):
        return set()  # a draft, or an article in review, that never was public: no public page shows it
    changed = {f"article:{article.pk}", SEARCH, SITEMAP}
    if before is None or deleted or before != after:
        changed |= lists if lists is not None else memberships(article)
        for category in {before[2] if before else None, after[2]} - {None}:
            changed.add(f"category:{category}:articles")
            if category_flipped(category, article.pk):
                changed.add(CATEGORIES)
    return changed


# -- Signal receivers ----------------------------------------------------------------------------


def _pending(tags) -> None:
    from .purge import invalidate_on_commit

    if tags:
        invalidate_on_commit(tags)


def _article_pre_save(sender, instance, **kwargs):
    instance._cache_state_before = None if instance._state.adding else getattr(instance, "_cache_state", None) or UNKNOWN


def _article_saved(sender, instance, created, **kwargs):
    before = None if created else getattr(instance, "_cache_state_before", None) or UNKNOWN
    _pending(article_changed(instance, before))
    instance._cache_state = article_state(instance)


def _article_pre_delete(sender, instance, **kwargs):
    # before the cascade removes its tags, authors and series entry
    before = getattr(instance, "_cache_state", None) or article_state(instance) or UNKNOWN
    if before[0]:
        instance._cache_lists = memberships(instance)


def _article_deleted(sender, instance, **kwargs):
    before = getattr(instance, "_cache_state", None) or article_state(instance) or UNKNOWN
    _pending(article_changed(instance, before, deleted=True, lists=getattr(instance, "_cache_lists", None)))


def _article_relations_changed(sender, instance, action, pk_set, model, reverse, **kwargs):
    """Tags or authors added to, removed from or cleared off an article (or the reverse)."""
    from ..models import Article

    kind = "author" if sender is Article.authors.through else "tag"
    if action == "pre_clear" and not reverse and _is_public(instance.__dict__.get("status")):
        related = instance.authors if kind == "author" else instance.tags
        instance._cache_cleared = set(related.values_list("pk", flat=True))
        return
    if not action.startswith("post_"):
        return
    if reverse:  # author.articles.add(...): the article side is pk_set
        articles = Article.objects.filter(pk__in=pk_set or (), status__in=Article.PUBLIC_STATUSES).values_list("pk", flat=True)
        changed = {f"article:{pk}" for pk in articles}
        if changed:
            changed |= {f"{kind}:{instance.pk}:articles", SEARCH, SITEMAP}
        _pending(changed)
        return
    if not _is_public(instance.__dict__.get("status")):
        return
    pks = set(pk_set or ())
    if action == "post_clear":
        pks = getattr(instance, "_cache_cleared", set())
    _pending({f"article:{instance.pk}", SEARCH, SITEMAP} | {f"{kind}:{pk}:articles" for pk in pks})


def _tagged_article_changed(sender, instance, **kwargs):
    """A tagging row saved or deleted directly (a cascade, a bulk tool): its tag's list and its
    article, if the article is public."""
    from ..models import Article

    if Article.objects.filter(pk=instance.content_object_id, status__in=Article.PUBLIC_STATUSES).exists():
        _pending({f"article:{instance.content_object_id}", f"tag:{instance.tag_id}:articles", SEARCH})


def _named_changed(sender, instance, created=False, **kwargs):
    """A category, tag, author or series renamed, edited, merged away or deleted: the pages that
    show it, the index that lists it, searches (their facets) and the sitemap (its address)."""
    if created:
        return  # nothing public shows a new row before an article is given it
    _pending({of(instance), f"{of(instance)}:articles", INDEXES[type(instance).__name__], SEARCH, SITEMAP})


def _picture_changed(sender, instance, created=False, **kwargs):
    if not created:
        _pending({of(instance)})


def _series_entry_changed(sender, instance, **kwargs):
    from ..models import Article

    if Article.objects.filter(pk=instance.article_id, status__in=Article.PUBLIC_STATUSES).exists():
        _pending({f"article:{instance.article_id}", f"series:{instance.series_id}:articles", f"series:{instance.series_id}", "series-index"})


def _aliases_changed(sender, instance, **kwargs):
    _pending({ALIASES, SEARCH})


def connect_signals() -> None:
    from ..models import Alias, AliasGroup, Article, Author, Category, Picture, Series, SeriesEntry, Tag, TaggedArticle

    uid = "blog.cache.tags"
    pre_save.connect(_article_pre_save, sender=Article, dispatch_uid=f"{uid}.article.pre_save")
    post_save.connect(_article_saved, sender=Article, dispatch_uid=f"{uid}.article.save")
    pre_delete.connect(_article_pre_delete, sender=Article, dispatch_uid=f"{uid}.article.pre_delete")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid=f"{uid}.article.delete")
    for through in (Article.authors.through, TaggedArticle):
        m2m_changed.connect(_article_relations_changed, sender=through, dispatch_uid=f"{uid}.m2m.{through.__name__}")
    for model in (Category, Tag, Author, Series):
        post_save.connect(_named_changed, sender=model, dispatch_uid=f"{uid}.save.{model.__name__}")
        post_delete.connect(_named_changed, sender=model, dispatch_uid=f"{uid}.delete.{model.__name__}")
    post_save.connect(_picture_changed, sender=Picture, dispatch_uid=f"{uid}.save.Picture")
    post_delete.connect(_picture_changed, sender=Picture, dispatch_uid=f"{uid}.delete.Picture")
    for signal in (post_save, post_delete):
        name = signal is post_save and "save" or "delete"
        signal.connect(_tagged_article_changed, sender=TaggedArticle, dispatch_uid=f"{uid}.{name}.TaggedArticle")
        signal.connect(_series_entry_changed, sender=SeriesEntry, dispatch_uid=f"{uid}.{name}.SeriesEntry")
        for model in (AliasGroup, Alias):
            signal.connect(_aliases_changed, sender=model, dispatch_uid=f"{uid}.{name}.{model.__name__}")


def merged(target) -> None:
    """Articles moved from one tag to another (``Tag.merge_into``, an ``update`` that sends no
    signal): the target's pages and list; the source's go with its deletion."""
    _pending({of(target), listing(target), "tags", SEARCH, SITEMAP})

