import functools
import operator
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.dispatch import Signal
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import TagBase, TaggedItemBase

from . import linkcards, stored_html, text
from .cache.tags import article_state, merged
from .validators import validate_github_url, validate_https_url, validate_x_url
from .rendering import excerpt_source, html_to_text, render_inline, render_markdown


def slug_url(name: str, slug: str) -> str:
    """``reverse(name, slug)``, remembered: a search page links a dozen articles, a sitemap
    thousands, and reversing one costs more than rendering its link."""
    return _reverse_slug(name, slug, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=8192)
def _reverse_slug(name: str, slug: str, prefix: str, urlconf: str) -> str:
    return reverse(name, kwargs={"slug": slug}, urlconf=urlconf)

DESCRIPTION_BUDGET = 120


def unique_slug(
    model, value: str, *, instance_pk=None, max_length: int = text.SLUG_MAX, fallback: str = "item"
) -> str:
    """Return a readable Unicode slug for ``value`` that no other row of ``model`` uses."""
    base = text.unicode_slugify(value, max_length=max_length) or fallback
    candidate, suffix = base, 2
    others = model._default_manager.exclude(pk=instance_pk) if instance_pk else model._default_manager.all()
    while others.filter(slug=candidate).exists():
        candidate = f"{text.unicode_slugify(base, max_length=max_length - len(str(suffix)) - 1)}-{suffix}"
        suffix += 1
    return candidate


class Category(models.Model):
    name = models.CharField(_("名前"), max_length=100, unique=True)
    slug = models.SlugField(_("スラッグ"), max_length=100, unique=True, allow_unicode=True, blank=True)
    description = models.TextField(_("説明"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("カテゴリー")
        verbose_name_plural = _("カテゴリー")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Category, self.name, instance_pk=self.pk, fallback="category")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("blog:category-detail", self.slug)


class HttpsURLField(models.URLField):
    """A URL a form completes with ``https://`` when the scheme is left out (``example.com``)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class Picture(models.Model):
    """An uploaded image (an article's cover, an author's photo) and its renditions.

    ``file`` is the upload as re-encoded by ``blog.uploads.clean_image`` (no EXIF, no appended
    bytes). The renditions — each crop at several widths in AVIF, WebP and JPEG — are made once
    by ``blog.pictures.generate_renditions`` and listed in ``renditions`` with their sizes, so
    rendering a page never opens a file (``blog.pictures`` documents the layout).
    """

    class Kind(models.TextChoices):
        COVER = "cover", _("アイキャッチ画像")
        PORTRAIT = "portrait", _("プロフィール写真")

    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.COVER)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("元画像"), max_length=255, editable=False)
    width = models.PositiveIntegerField(_("幅"), editable=False)
    height = models.PositiveIntegerField(_("高さ"), editable=False)
    alt = models.CharField(_("代替テキスト"), max_length=200)
    focal_x = models.FloatField(_("焦点（横）"), default=0.5)
    focal_y = models.FloatField(_("焦点（縦）"), default=0.5)
    renditions = models.JSONField(_("派生画像"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("画像")
        verbose_name_plural = _("画像")
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="picture_focal_point_inside",
            ),
        ]

    def __str__(self):
        return self.alt or str(self.key)

    def sources(self, crop: str) -> dict:
        """``{format: [[width, height, storage name], …]}`` of one crop, narrowest first; ``{}``
        until the renditions are made."""
        return self.renditions.get(crop, {})

    def largest(self, crop: str, fmt: str = "jpg", *, at_most: int | None = None):
        """``(width, height, storage name)`` of the widest rendition (no wider than ``at_most``), or None."""
        candidates = [r for r in self.sources(crop).get(fmt, []) if at_most is None or r[0] <= at_most]
        if not candidates and at_most is not None:
            candidates = self.sources(crop).get(fmt, [])[:1]
        return tuple(candidates[-1]) if candidates else None


class Author(models.Model):
    name = models.CharField(_("名前"), max_length=100, unique=True)
    slug = models.SlugField(_("スラッグ"), max_length=100, unique=True, allow_unicode=True, blank=True)
    bio = models.TextField(_("紹介文"), blank=True, help_text=_("著者ページの冒頭に載ります。改行はそのまま表示されます。"))
    role = models.CharField(_("肩書き"), max_length=100, blank=True, help_text=_("例：AIエンジニア、テクニカルライター"))
    photo = models.ForeignKey(
        Picture, verbose_name=_("写真"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    x_url = HttpsURLField(_("X（旧Twitter）"), blank=True, validators=[validate_x_url], help_text=_("例：https://x.com/allforces"))
    github_url = HttpsURLField(_("GitHub"), blank=True, validators=[validate_github_url], help_text=_("例：https://github.com/allforces"))
    website_url = HttpsURLField(_("ウェブサイト"), blank=True, validators=[validate_https_url], help_text=_("https:// で始まるURL"))
    is_team = models.BooleanField(_("チーム名義"), default=False, help_text=_("「ALLFORCES編集部」のような共同署名"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("スタッフユーザー"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("著者")
        verbose_name_plural = _("著者")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, instance_pk=self.pk, fallback="author")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("blog:author-detail", self.slug)

    @property
    def links(self) -> list[tuple[str, str]]:
        """``(label, url)`` of the profile links that are filled in."""
        named = [("X", self.x_url), ("GitHub", self.github_url), (_("ウェブサイト"), self.website_url)]
        return [(label, url) for label, url in named if url]


# Sent inside ``Tag.merge_into`` just before its articles move to ``target`` (in bulk, so no
# m2m signal tells anyone) and ``source`` is deleted.
tag_merged = Signal()


class Tag(TagBase):
    """A taggit tag whose name is NFKC-normalized: ``ＯｐｅｎＡＩ`` is stored as ``OpenAI``."""

    class Meta:
        ordering = ["name"]
        verbose_name = _("タグ")
        verbose_name_plural = _("タグ")

    def save(self, *args, **kwargs):
        self.name = text.normalize_tag_name(self.name)
        super().save(*args, **kwargs)

    def slugify(self, tag, i=None):
        slug = text.unicode_slugify(tag, max_length=90) or "tag"
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return slug_url("blog:tag-detail", self.slug)

    @transaction.atomic
    def merge_into(self, target: "Tag") -> int:
        """Move every article of this tag onto ``target``, then delete this tag.

        The aliases go with the articles: this tag's name, and every spelling of its alias
        group, become spellings of ``target``'s group (created if ``target`` has none), so a
        reader typing the old name still finds ``target`` and its old address leads there.
        Returns how many articles gained ``target``.
        """
        if target.pk == self.pk:
            return 0
        already = TaggedArticle.objects.filter(tag=target).values("content_object_id")
        tag_merged.send(sender=Tag, source=self, target=target)
        moving = TaggedArticle.objects.filter(tag=self).exclude(content_object_id__in=already)
        moving_ids = list(moving.values_list("content_object_id", flat=True))
        moved = moving.update(tag=target)
        self._hand_aliases_to(target)
        self.delete()  # re-renders the articles left with this tag (they have the target already)
        stored_html.refresh(moving_ids)  # an update() sends no signal
        merged(target)  # nor does it invalidate: the target's pages now show the moved articles
        return moved

    def alias_group(self) -> "AliasGroup | None":
        """The alias group one of whose spellings is this tag's name."""
        found = Alias.objects.filter(normalized=text.normalize(self.name)).select_related("group").first()
        return found.group if found else AliasGroup.objects.filter(name__iexact=self.name).first()

    def _hand_aliases_to(self, target: "Tag") -> None:
        source, kept = self.alias_group(), target.alias_group()
        if kept is None and source is not None:
            # the source's group becomes the target's: its name is the target's now
            old_name = source.name
            source.name = target.name
            source.save()
            source.add_spelling(old_name)
            kept = source
        elif kept is None:
            kept = AliasGroup.objects.create(name=target.name)
        elif source is not None and source.pk != kept.pk:
            spellings = source.spellings
            source.delete()  # its spellings are free to join the target's group
            for spelling in spellings:
                kept.add_spelling(spelling)
        kept.add_spelling(self.name)


class AliasGroup(models.Model):
    """Spellings of one name that a search treats as the same word: NVIDIA ⇄ エヌビディア.

    The group's ``name`` is its preferred spelling and one of its spellings; ``Alias`` rows hold
    the others. A tag whose name is one of the spellings is the group's tag (``blog.search.aliases``).
    """

    name = models.CharField(_("代表表記"), max_length=100, unique=True, help_text=_("例: NVIDIA"))
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("同義語・別名")
        verbose_name_plural = _("同義語・別名")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = text.normalize_tag_name(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.name = text.normalize_tag_name(self.name)
        taken = Alias.objects.filter(normalized=text.normalize(self.name))
        if self.pk:
            taken = taken.exclude(group=self)
        if self.name and taken.exists():
            raise ValidationError({"name": _("「%(name)s」は別のグループ「%(group)s」の表記です。") % {
                "name": self.name, "group": taken.select_related("group").first().group.name}})

    @property
    def spellings(self) -> list[str]:
        return [self.name, *(alias.spelling for alias in self.aliases.all())]

    def add_spelling(self, spelling: str) -> bool:
        """Add ``spelling`` unless it is already a spelling of any group; ``True`` if added."""
        spelling = text.normalize_tag_name(spelling)
        normalized = text.normalize(spelling)
        if not normalized or Alias.objects.filter(normalized=normalized).exists():
            return False
        if AliasGroup.objects.filter(name__iexact=spelling).exists():  # names are NFKC already
            return False
        Alias.objects.create(group=self, spelling=spelling)
        return True


class Alias(models.Model):
    """Another spelling of an ``AliasGroup``'s name (オープンAI for OpenAI)."""

    group = models.ForeignKey(AliasGroup, verbose_name=_("グループ"), on_delete=models.CASCADE, related_name="aliases")
    spelling = models.CharField(_("表記"), max_length=100)
    # The spelling as search compares it (NFKC, case-folded): one group per spelling.
    normalized = models.CharField(max_length=100, unique=True, editable=False)

    class Meta:
        ordering = ["group", "spelling"]
        verbose_name = _("別表記")
        verbose_name_plural = _("別表記")

    def __str__(self):
        return self.spelling

    def save(self, *args, **kwargs):
        self.spelling = text.normalize_tag_name(self.spelling)
        self.normalized = text.normalize(self.spelling)
        super().save(*args, **kwargs)

    def clean(self):
        self.spelling = text.normalize_tag_name(self.spelling)
        normalized = text.normalize(self.spelling)
        if not normalized:
            return
        other = Alias.objects.filter(normalized=normalized).exclude(pk=self.pk).select_related("group").first()
        group = other.group if other else AliasGroup.objects.filter(name__iexact=self.spelling).first()
        if group is not None:
            raise ValidationError({"spelling": _("「%(name)s」はすでにグループ「%(group)s」の表記です。") % {
                "name": self.spelling, "group": group.name}})


class NormalizingTaggableManager(_TaggableManager):
    """Accept tag names in any width or case and reuse the existing tag."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        normalized = [text.normalize_tag_name(t) if isinstance(t, str) else t for t in tags]
        return super()._to_tag_model_instances([t for t in normalized if t != ""], tag_kwargs)


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        verbose_name = _("記事のタグ")
        verbose_name_plural = _("記事のタグ")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Return what readers may see: ``published_at`` not in the future and status ``published``,
        or ``scheduled`` (a scheduled article is public the moment its time passes, before
        ``manage.py publish_scheduled`` records the change)."""
        return self.filter(status__in=Article.PUBLIC_STATUSES, published_at__lte=timezone.now())

    def for_listing(self, *, with_text: bool = False, with_html: bool = False):
        """Fetch what an article card shows (category, authors, tags) in a constant number of queries.

        The heavy text columns stay in the database: ``with_text`` keeps the plain text (search
        snippets), ``with_html`` the rendered body (feeds).
        """
        keep = {"body_text"} if with_text else set()
        if with_html:
            keep.add("body_html")
        heavy = [f for f in ("body", "body_html", "body_text", "toc_html", "search_document", "extra") if f not in keep]
        heavy += ["card_html", "card_details_html", "header_html", "shown_tags"]
        return self.select_related("category", "cover").prefetch_related("authors", "tags").defer(*heavy)

    def for_cards(self, *, with_text: bool = False):
        """What a list of cards reads: each article's stored card (``blog.stored_html``), in one
        query, no relation read. ``with_text``: a search card instead, whose title and snippet show
        the query: the plain text, the cover and the stored details (date, category, byline, tags)."""
        if with_text:
            return self.select_related("cover").only(
                "title", "slug", "category", "cover", "body_text", "card_details_html", "shown_tags"
            )
        return self.only("title", "slug", "published_at", "category", "cover", "card_html", "shown_tags")

    def with_tag(self, tag: Tag):
        return self.filter(tagged_items__tag=tag)

    def in_series(self, series: "Series"):
        """Return the articles placed in ``series``, in the series' order (position, then date).

        Chained after ``published()`` it gives the instalments readers see; an instalment's
        number is its place in that list, so an unpublished one leaves no gap.
        """
        return self.filter(series_entry__series=series).order_by(*SERIES_ORDER)

    def related_to(self, article: "Article", limit: int = 4):
        """Return up to ``limit`` other articles ranked by how many tags they share with ``article``."""
        tag_ids = [tag.pk for tag in article.tags.all()]
        if not tag_ids:
            return self.none()
        # Rank on the narrow tag table (joined to the listing index for visibility and date), then
        # fetch only the winners: grouping whole article rows was the cost of an article page.
        ranked = (
            TaggedArticle.objects.filter(tag_id__in=tag_ids, content_object__in=self.values("pk"))
            .exclude(content_object_id=article.pk)
            .values("content_object_id")
            .annotate(shared=Count("pk"))
            .order_by("-shared", "-content_object__published_at", "-content_object_id")
            .values("content_object_id")[:limit]
        )
        shared = (
            TaggedArticle.objects.filter(content_object_id=models.OuterRef("pk"), tag_id__in=tag_ids)
            .values("content_object_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.filter(pk__in=ranked)
            .annotate(shared_tags=models.Subquery(shared))
            .order_by("-shared_tags", "-published_at", "-pk")
        )

    def search(self, query):
        """Return articles matching ``query`` (a ``blog.search.query.Query``, or a list of words
        matched exactly): every term in the title, excerpt or body in one of its spellings, no
        excluded phrase; title hits first, newest first.

        The definition of a search, in one query. The search page gets the same rows, page by
        page and with a capped count, from ``blog.search.SearchResults``.
        """
        from .search.query import Query  # blog.search imports this module

        if not isinstance(query, Query):
            query = Query.exact(query)
        qs = self
        title_hits = Q()
        for term in query.terms:
            qs = qs.filter(functools.reduce(operator.or_, [Q(search_document__contains=n) for n in term.spellings]))
            title_hits &= functools.reduce(operator.or_, [Q(search_title__contains=n) for n in term.spellings])
        for phrase in query.excluded:
            qs = qs.exclude(search_document__contains=phrase)
        return qs.annotate(
            title_hit=models.Case(models.When(title_hits, then=1), default=0, output_field=models.IntegerField())
        ).order_by("-title_hit", "-published_at")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        IN_REVIEW = "in_review", _("レビュー中")
        CHANGES_REQUESTED = "changes_requested", _("修正依頼")
        SCHEDULED = "scheduled", _("予約済み")
        PUBLISHED = "published", _("公開中")
        ARCHIVED = "archived", _("アーカイブ")

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)

    title = models.CharField(_("タイトル"), max_length=200)
    slug = models.SlugField(
        _("スラッグ"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("空欄ならタイトルから作ります（日本語可）。"),
    )
    body = MarkdownxField(_("本文（Markdown）"), blank=True)
    excerpt = models.TextField(_("抜粋（Markdown）"), blank=True, help_text=_("一覧とメタ説明に使われます。"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("カテゴリー"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    tags = TaggableManager(verbose_name=_("タグ"), through=TaggedArticle, manager=NormalizingTaggableManager, blank=True)
    authors = models.ManyToManyField(Author, verbose_name=_("著者"), related_name="articles", blank=True)
    cover = models.ForeignKey(
        Picture, verbose_name=_("アイキャッチ画像"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    reading_time_override = models.PositiveSmallIntegerField(
        _("読了時間（分・手動）"), null=True, blank=True, help_text=_("設定すると自動計算より優先されます。")
    )
    # Where an imported article came from: the key that makes re-importing update rather than
    # duplicate, its address on the old Jekyll site, and front-matter keys we have no field for.
    source_path = models.CharField(_("取り込み元ファイル"), max_length=500, blank=True, editable=False)
    jekyll_url = models.CharField(_("旧サイトのURL"), max_length=500, blank=True, editable=False)
    extra = models.JSONField(_("その他の属性"), default=dict, blank=True, editable=False)

    # Derived on save, never edited by hand.
    body_html = models.TextField(editable=False, blank=True)
    body_text = models.TextField(editable=False, blank=True)
    toc_html = models.TextField(editable=False, blank=True)
    excerpt_html = models.TextField(editable=False, blank=True)
    description = models.CharField(editable=False, max_length=DESCRIPTION_BUDGET + 10, blank=True)
    reading_time = models.PositiveSmallIntegerField(_("読了時間（分・自動）"), editable=False, default=1)
    search_title = models.CharField(editable=False, max_length=200, blank=True)
    search_document = models.TextField(editable=False, blank=True)
    # The article's card, a search card's details and the article page's header, as lists and
    # the page show them (blog.stored_html): rendered on save and whenever a category, author,
    # tag or picture they show changes.
    card_html = models.TextField(editable=False, blank=True)
    card_details_html = models.TextField(editable=False, blank=True)
    header_html = models.TextField(editable=False, blank=True)
    # The cache tags of the authors and tags the stored HTML shows (blog.cache.tags.shown_article):
    # a list of cards learns them without reading those relations.
    shown_tags = models.TextField(editable=False, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = _("記事")
        verbose_name_plural = _("記事")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # The listing order (``ordering``) walked newest first; ``status`` rides along so that
            # ``published()`` is checked from the index alone (home, related ranking, counts).
            models.Index(fields=["-published_at", "-id", "status"], name="article_listing_order"),
            models.Index(fields=["category", "-published_at"], name="article_category_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["published", "scheduled"]) | Q(published_at__isnull=False),
                name="published_or_scheduled_has_date",
            ),
            models.UniqueConstraint(fields=["source_path"], condition=~Q(source_path=""), name="unique_article_source_path"),
        ]

    def __str__(self):
        return self.title

    # What render() reads, and what it writes.
    SOURCE_FIELDS = ("title", "excerpt", "body")
    DERIVED_FIELDS = (
        "body_html", "body_text", "toc_html", "excerpt_html", "description",
        "reading_time", "search_title", "search_document",
    )  # fmt: skip

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._rendered_from = instance._sources()
        instance._cache_state = article_state(instance)  # where it was listed (blog/cache/tags.py)
        return instance

    def _sources(self):
        # Deferred fields stay unread: a source not loaded counts as unknown, hence changed.
        deferred = self.get_deferred_fields()
        return tuple(None if name in deferred else getattr(self, name) for name in self.SOURCE_FIELDS)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Article, self.title, instance_pk=self.pk, fallback="article")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # A partial save (a state change) renders only if it writes a source, and then adds
            # that source's derived columns; it never adds anything else.
            if set(update_fields) & set(self.SOURCE_FIELDS):
                self.render()
                kwargs["update_fields"] = set(update_fields) | set(self.DERIVED_FIELDS)
            if set(kwargs["update_fields"]) & stored_html.SHOWN_FIELDS:
                stored_html.render_into(self)
                kwargs["update_fields"] = set(kwargs["update_fields"]) | set(stored_html.STORED_FIELDS)
        else:
            if self._state.adding or getattr(self, "_rendered_from", None) != self._sources() or None in self._sources():
                self.render()
            stored_html.render_into(self)
        super().save(*args, **kwargs)
        self._rendered_from = self._sources()
        linkcards.link_cards_wanted(self)  # fetched by a task, after the commit

    def render(self):
        """Compute the stored HTML, table of contents, description, reading time and search text."""
        from .linkcards import link_cards_for

        with link_cards_for(self.body, article=self):
            rendered = render_markdown(self.body)
        self.body_html = rendered.html
        self.body_text = rendered.text
        self.toc_html = rendered.toc_html
        # Without a written excerpt, the text before <!--more--> (Jekyll's separator) is one.
        self.excerpt_html = render_inline(self.excerpt or excerpt_source(self.body))
        excerpt_text = html_to_text(self.excerpt_html)
        self.description = text.truncate_sentences(excerpt_text or rendered.text, DESCRIPTION_BUDGET)
        self.reading_time = text.reading_minutes(rendered.text)
        self.search_title = text.normalize(self.title)
        # Starts with the title, so a title hit is always a document hit (blog.search relies on it).
        self.search_document = text.normalize("\n".join([self.title, excerpt_text, rendered.text]))

    @property
    def minutes_to_read(self) -> int:
        return self.reading_time_override or self.reading_time

    @property
    def is_published(self) -> bool:
        return (
            self.status in self.PUBLIC_STATUSES
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def summary_html(self) -> str:
        """The excerpt as HTML, or the start of the body when there is no excerpt."""
        if self.excerpt_html:
            return self.excerpt_html
        return format_html("<p>{}</p>", self.description)

    def get_absolute_url(self):
        return slug_url("blog:article-detail", self.slug)


# The one order of a series' articles: editors' positions, ties broken by date, then id.
SERIES_ORDER = ("series_entry__position", "published_at", "pk")


class Series(models.Model):
    """A run of articles on one topic (連載), read in the order editors give them."""

    title = models.CharField(_("タイトル"), max_length=200)
    slug = models.SlugField(
        _("スラッグ"), max_length=100, unique=True, allow_unicode=True, blank=True,
        help_text=_("空欄ならタイトルから作ります（日本語可）。"),
    )  # fmt: skip
    description = models.TextField(_("説明"), blank=True, help_text=_("連載ページと一覧に表示されます（プレーンテキスト）。"))
    cover = models.ImageField(
        _("カバー画像"), upload_to="series/", blank=True,
        width_field="cover_width", height_field="cover_height",
        help_text=_("JPEG・PNG・GIF・WebP。アップロード時に検証し、メタデータを除いて保存します。"),
    )  # fmt: skip
    cover_width = models.PositiveIntegerField(editable=False, null=True, blank=True)
    cover_height = models.PositiveIntegerField(editable=False, null=True, blank=True)
    cover_alt = models.CharField(
        _("カバー画像の代替テキスト"), max_length=200, blank=True, help_text=_("画像の内容を短く説明します（画像があるときは必須）。")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("連載")
        verbose_name_plural = _("連載")

    def __str__(self):
        return self.title

    def clean(self):
        if self.cover and not self.cover_alt.strip():
            raise ValidationError({"cover_alt": _("カバー画像の代替テキストを入力してください。")})

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Series, self.title, instance_pk=self.pk, fallback="series")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("blog:series-detail", self.slug)


class SeriesEntry(models.Model):
    """An article's place in a series: an article belongs to at most one series."""

    series = models.ForeignKey(Series, verbose_name=_("連載"), on_delete=models.CASCADE, related_name="entries")
    article = models.OneToOneField(Article, verbose_name=_("記事"), on_delete=models.CASCADE, related_name="series_entry")
    position = models.PositiveIntegerField(_("順番"), default=0, help_text=_("小さい順に並びます。"))

    class Meta:
        # No unique (series, position): swapping two rows in the admin saves them one at a
        # time, and the admin renumbers the series 1, 2, 3… after every save anyway.
        ordering = ["series", "position", "pk"]
        verbose_name = _("連載の記事")
        verbose_name_plural = _("連載の記事")
        indexes = [models.Index(fields=["series", "position"], name="series_entry_order")]

    def __str__(self):
        return f"{self.series} — {self.article}"


class Redirect(models.Model):
    """An old address (from the Jekyll site, or added by an editor) answered with a 301.

    Looked up only when a request would otherwise end in 404 (``blog.middleware``).
    """

    old_path = models.CharField(
        _("旧パス"),
        max_length=500,
        unique=True,
        help_text=_("ドメインを除いたパス。例: /blog/2024/05/01/llm-intro.html"),
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("転送先の記事"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="redirects",
    )
    target_url = models.CharField(
        _("転送先URL"), max_length=500, blank=True, help_text=_("記事以外へ転送するとき。/ で始まるパスか https:// のURL。")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        verbose_name = _("リダイレクト")
        verbose_name_plural = _("リダイレクト")
        constraints = [
            models.CheckConstraint(
                condition=(Q(article__isnull=False) & Q(target_url="")) | (Q(article__isnull=True) & ~Q(target_url="")),
                name="redirect_has_one_target",
            )
        ]

    def __str__(self):
        return f"{self.old_path} → {self.target_display}"

    @property
    def target_display(self) -> str:
        return self.article.get_absolute_url() if self.article_id else self.target_url

    def clean(self):
        errors = {}
        if self.old_path and not self.old_path.startswith("/"):
            errors["old_path"] = _("旧パスは / で始めてください。")
        if bool(self.article_id) == bool(self.target_url):
            errors["target_url"] = _("転送先は記事かURLのどちらか一方を指定してください。")
        elif self.target_url and not self.target_url.startswith(("/", "https://", "http://")):
            errors["target_url"] = _("転送先URLは / で始まるパスか http(s):// のURLにしてください。")
        if errors:
            raise ValidationError(errors)

    def location(self) -> str | None:
        """Where to send the visitor, or None when the article is not public (the 404 stands)."""
        if self.article_id:
            return self.article.get_absolute_url() if self.article.is_published else None
        return self.target_url


class LinkCard(models.Model):
    """Title, description and image of a page linked alone on a line, fetched at save time.

    Keyed by URL and shared by every article that links the page, so rendering reads the
    card from here and never fetches during a request. ``is_fetched`` false means the fetch
    failed and the card shows only the domain and URL.
    """

    url = models.CharField(_("URL"), max_length=2000, unique=True)
    title = models.CharField(_("タイトル"), max_length=300, blank=True)
    description = models.CharField(_("説明"), max_length=500, blank=True)
    image_url = models.CharField(_("画像URL"), max_length=2000, blank=True)
    is_fetched = models.BooleanField(_("取得成功"), default=False)
    fetched_at = models.DateTimeField(_("取得日時"), default=timezone.now)

    class Meta:
        verbose_name = _("リンクカード")
        verbose_name_plural = _("リンクカード")

    def __str__(self):
        return self.url

    def as_card(self) -> dict[str, str]:
        return {"title": self.title, "description": self.description, "image": self.image_url}
