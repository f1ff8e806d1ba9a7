"""The HTML an article shows in lists and atop its page, rendered when it is saved.

Like its body (``blog.rendering``), an article's card (``templates/blog/includes/article_card.html``),
a search card's details (date, category, byline and tags: ``card_details.html``) and its page's
header (``article_header.html``) are rendered once and stored with the article (``card_html``,
``card_details_html``, ``header_html``). A list page then reads one string per card instead of
rendering a template per card and reading every card's authors and tags.

The stored HTML also shows other rows: the article's category, authors, tags and cover picture.
So it is rendered again, in bulk, for the articles that show a row whenever that row's shown
fields change (a rename, a new slug, a cover's text or renditions), whenever it is deleted, and
whenever an article's authors or tags change (the receivers below). ``manage.py rerender_articles``
renders every article again (after a template changes). Code that writes those rows without
``save()``/``delete()`` (``QuerySet.update``, ``bulk_create``) calls ``refresh`` itself.

A card's cover is stored lazy-loading; ``stored`` turns it into the eager (or high-priority) cover
the first cards of the home page load, so one stored card serves every position.
"""

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

STORED_FIELDS = ("card_html", "card_details_html", "header_html", "shown_tags")
# The article's own fields the stored HTML shows: a partial save writing one renders it again.
SHOWN_FIELDS = {
    "title", "slug", "excerpt", "excerpt_html", "description", "reading_time", "reading_time_override",
    "published_at", "category", "category_id", "cover", "cover_id",
}  # fmt: skip
# What each related row shows in the stored HTML (an article's cover shows its renditions too).
SHOWN_OF = {"Category": ("name", "slug"), "Tag": ("name", "slug"), "Author": ("name", "slug"), "Picture": ("alt", "renditions")}
BATCH = 200


def render(article, *, authors=None, tags=None) -> dict:
    """``{field: html}`` of the stored HTML of ``article`` as it is now (its category, cover,
    authors and tags included; ``authors``/``tags`` given for rows not saved yet)."""
    if authors is None:
        authors = list(article.authors.all()) if article.pk else []
    if tags is None:
        tags = list(article.tags.all()) if article.pk else []
    # Tags by name, whichever way they were read (taggit orders them by tagging, or not at all).
    tags = sorted(tags, key=lambda tag: tag.name)
    context = {"article": article, "authors": authors, "tags": tags, "site_name": settings.SITE_NAME}
    return {
        "card_html": render_to_string("blog/includes/article_card.html", context),
        "card_details_html": render_to_string("blog/includes/card_details.html", context),
        "header_html": render_to_string("blog/includes/article_header.html", context),
        "shown_tags": " ".join([f"author:{author.pk}" for author in authors] + [f"tag:{tag.pk}" for tag in tags]),
    }


def render_into(article, **relations) -> None:
    """Set the stored HTML fields of ``article`` (not saved here: ``Article.save`` calls this)."""
    for name, html in render(article, **relations).items():
        setattr(article, name, html)


def refresh(articles) -> int:
    """Render and store the HTML of ``articles`` (a queryset of them, or their ids) again, in
    batches: a constant number of queries per batch. Returns how many were written."""
    from .models import Article

    ids = list(articles.values_list("pk", flat=True)) if hasattr(articles, "values_list") else list(articles)
    done = 0
    for start in range(0, len(ids), BATCH):
        batch = list(
            Article.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related("category", "cover")
            .defer("body", "body_html", "body_text", "toc_html", "search_document", "extra", *STORED_FIELDS)
        )
        prefetch_related_objects(batch, "authors", "tags")
        for article in batch:
            render_into(article)
        # bulk_update sends no signal and leaves updated_at alone: only the stored HTML is written.
        Article.objects.bulk_update(batch, STORED_FIELDS)
        done += len(batch)
    return done


def stored_tags(article) -> list[str] | None:
    """The cache tags of the authors and tags ``article``'s stored HTML shows, when it was read with
    its stored HTML (``for_cards``); ``None`` when that must be read from the relations."""
    values = article.__dict__
    if "shown_tags" not in values or not any(values.get(field) for field in STORED_FIELDS[:3]):
        return None
    return values["shown_tags"].split()


def stored(article, field: str, loading: str = "lazy") -> str:
    """``article``'s stored ``field``, a card's cover loading as ``loading`` says
    (``pictures.picture_html``); rendered now if the article has none stored yet."""
    from .pictures import with_loading

    html = getattr(article, field) or render(article)[field]
    return mark_safe(with_loading(html, loading) if field == "card_html" else html)


# -- Receivers -------------------------------------------------------------------------------


def articles_showing(instance):
    """The articles whose stored HTML shows ``instance`` (a category, tag, author or picture)."""
    from .models import Article, Author, Category, Picture, Tag

    lookup = {Category: "category", Tag: "tagged_items__tag", Author: "authors", Picture: "cover"}[type(instance)]
    return Article.objects.filter(**{lookup: instance}).values_list("pk", flat=True).distinct()


def _shown(instance) -> tuple:
    return tuple(getattr(instance, name) for name in SHOWN_OF[type(instance).__name__])


def related_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """Note whether this save changes what stored HTML shows of the row (one query, rare writes)."""
    if raw or instance.pk is None or instance._state.adding:
        instance._stored_html_changed = False
        return
    fields = SHOWN_OF[sender.__name__]
    before = sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    instance._stored_html_changed = before is not None and tuple(before) != _shown(instance)


def related_saved(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_stored_html_changed", False):
        instance._stored_html_changed = False
        refresh(articles_showing(instance))


def related_deleting(sender, instance, **kwargs):
    # The links go with the row (cascade, SET_NULL: no signal per article): note who shows it now.
    instance._stored_html_articles = list(articles_showing(instance))


def related_deleted(sender, instance, **kwargs):
    refresh(getattr(instance, "_stored_html_articles", []))


def relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """An article's authors or tags changed (either side of the relation, taggit's too)."""
    from .models import Article

    if action == "pre_clear" and reverse:
        instance._stored_html_articles = list(articles_showing(instance))
    if action not in ("post_add", "post_remove", "post_clear") or (action != "post_clear" and not pk_set):
        return  # nothing changed (taggit's set() removes, then adds, either maybe nothing)
    if not reverse:
        refresh([instance.pk])
    elif action == "post_clear":
        refresh(getattr(instance, "_stored_html_articles", []))
    elif pk_set:
        refresh(Article.objects.filter(pk__in=pk_set))


def connect_signals() -> None:
    from .models import Article, Author, Category, Picture, Tag, TaggedArticle

    for model in (Category, Tag, Author, Picture):
        uid = f"blog.stored_html.{model.__name__}"
        pre_save.connect(related_saving, sender=model, dispatch_uid=f"{uid}.pre_save")
        post_save.connect(related_saved, sender=model, dispatch_uid=f"{uid}.post_save")
        pre_delete.connect(related_deleting, sender=model, dispatch_uid=f"{uid}.pre_delete")
        post_delete.connect(related_deleted, sender=model, dispatch_uid=f"{uid}.post_delete")
    for through in (Article.authors.through, TaggedArticle):
        m2m_changed.connect(relations_changed, sender=through, dispatch_uid=f"blog.stored_html.m2m.{through.__name__}")
