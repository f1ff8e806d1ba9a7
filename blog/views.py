import calendar
import datetime
import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from . import indexes, ratelimit, text
from .cache import fragments
from .cache.fragments import Card
from .cache.middleware import page_number
from .cache.tags import ALIASES, ARTICLES, SEARCH, listing, shown
from .models import Article, Author, Category, Series, Tag
from .search import ORDERS as SEARCH_ORDERS
from .search import SearchResults, aliases, suggestions
from .search import filters as search_filters
from .search import page as search_view
from .search import query as search_query
from .visibility import with_public_articles

MAX_QUERY_LENGTH = 100


def alias_table(request):
    """The search alias table, kept until a group or a spelling changes."""
    return aliases.table(fragments.remembered(request, "aliases", {ALIASES}))


class KeptCountPaginator(Paginator):
    """Counts a list once until its articles change, not on every page view."""

    def __init__(self, *args, request, count_key: str, list_tag: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.request, self.count_key, self.list_tag = request, count_key, list_tag

    @cached_property
    def count(self):
        count = lambda: Paginator.count.func(self)  # noqa: E731
        return fragments.get_or_set(self.request, "count", count, {self.list_tag}, parts=[self.count_key])


class PublishedArticleMixin:
    """Every public list starts from the one visibility rule, ``published()``, and shows each
    article's stored card (``for_cards()``)."""

    model = Article
    paginate_by = 12
    context_object_name = "articles"
    keep_count = True  # a list is defined by its path (the page number aside)
    # The query parameters this view reads, normalized: the page cache keys on these alone.
    cache_parameters = {"page": page_number}
    # The category, tag, author or series whose articles the page lists (None: the site's).
    listed = None
    # How many cards at the top of the first page load their covers at once (above the fold).
    eager_cards = 0

    def get_queryset(self):
        return Article.objects.published().for_cards()

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        if not (self.keep_count and isinstance(queryset, QuerySet)):
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        return KeptCountPaginator(
            queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page,
            request=self.request, count_key=self.request.path, list_tag=listing(self.listed), **kwargs
        )

    def get_context_data(self, **kwargs):
        fragments.shows(self.request, listing(self.listed), self.listed)
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is None:
            context["cards"] = []
        elif isinstance(page.object_list, QuerySet):  # a list: kept cards, rows only for the rest
            eager = self.eager_cards if page.number == 1 else 0
            context["cards"] = fragments.page_cards(self.request, page.object_list, self.object_list, eager=eager)
        else:  # search results: a card's title and snippet show the query; its details may be kept
            context["cards"] = [Card(a.pk, article=a) for a in page.object_list]
        return context


def public_or_404(request, model, slug: str, *, related=()):
    """The ``model`` row with ``slug`` (and its ``related`` rows, ``select_related``), kept until it
    or its list of articles changes. A missing slug, or a row with no public article (a tag used
    only on drafts), is a 404 and nothing is kept for it."""
    return fragments.get_or_set(
        request,
        model._meta.label_lower,
        lambda: get_object_or_404(with_public_articles(model).select_related(*related), slug=slug),
        lambda row: shown(row, listing(row)),
        parts=[slug],
    )


class ArticleListView(PublishedArticleMixin, ListView):
    template_name = "blog/article_list.html"
    eager_cards = 3  # the first row on a desktop, the first card (and more) on a phone


class ArticleDetailView(DetailView):
    model = Article
    context_object_name = "article"

    def get_queryset(self):
        # The page shows the HTML; authors and tags come in get_context_data, when needed.
        heavy = ["body", "body_text", "search_document", "extra", "card_html", "card_details_html"]
        return Article.objects.published().select_related("category", "cover", "series_entry__series").defer(*heavy)

    def get_context_data(self, **kwargs):
        entry = getattr(self.object, "series_entry", None)  # joined above: no query either way
        series_box = SeriesBox(entry.series, self.object) if entry else None
        fragments.shows(self.request, f"article:{self.object.pk}")
        fragments.article_parts(self.request, self.object, in_series=series_box is not None)
        return super().get_context_data(related_articles=self.related_articles(), series_box=series_box, **kwargs)

    def related_articles(self) -> list:
        """``related_to()``, ranked once until the lists of the article's tags change (the ranking
        reads every article sharing a tag), shown as cards: kept HTML, or the article where none is kept."""
        listing = Article.objects.published().for_cards()
        ranked = []

        def rank():
            ranked.extend(listing.related_to(self.object))
            return [article.pk for article in ranked]

        ids = fragments.get_or_set(self.request, "related", rank, lambda ids: self.related_tags(), parts=[self.object.pk])
        if ranked:  # ranked just now: the rows are at hand
            return [Card(article.pk, article=article) for article in ranked]
        return fragments.article_cards(self.request, ids, listing)

    def related_tags(self) -> set[str]:
        """The ranking depends on the article's tags and on which public articles each of them lists."""
        return {f"article:{self.object.pk}"} | {listing(tag) for tag in self.object.tags.all()}


class SeriesBox:
    """An article's place in its series: its number, its neighbours and every instalment.

    Only published articles count, so the numbers readers see have no gaps. The list is read
    (one query) only when the box is rendered, not when the cache keeps it.
    """

    def __init__(self, series: Series, article: Article):
        self.series, self.article = series, article

    def cache_tags(self) -> set[str]:
        """What the box shows: the series and each of its published articles."""
        return {f"series:{self.series.pk}", f"series:{self.series.pk}:articles"} | {f"article:{a.pk}" for a in self.articles}

    @cached_property
    def articles(self) -> list[Article]:
        return list(Article.objects.published().in_series(self.series).only("title", "slug", "published_at"))

    @cached_property
    def index(self) -> int:
        # The page's article is published (the page shows only such), hence in the list.
        return next(i for i, article in enumerate(self.articles) if article.pk == self.article.pk)

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def previous(self) -> Article | None:
        return self.articles[self.index - 1] if self.index > 0 else None

    @property
    def next(self) -> Article | None:
        return self.articles[self.index + 1] if self.index + 1 < len(self.articles) else None


class SeriesListView(ListView):
    """Every series with a published article, the one updated last first."""

    template_name = "blog/series_list.html"
    context_object_name = "series_list"
    paginate_by = 30
    cache_parameters = {"page": page_number}

    def get_queryset(self):
        fragments.shows(self.request, ARTICLES, "series-index")
        public = Q(entries__article__in=Article.objects.published())
        return (
            Series.objects.annotate(
                article_count=Count("entries", filter=public),
                last_published_at=Max("entries__article__published_at", filter=public),
            )
            .filter(article_count__gt=0)
            .order_by("-last_published_at", "title", "pk")
        )


class SeriesDetailView(PublishedArticleMixin, ListView):
    """A series' published articles in the series' order, numbered as the article pages number them."""

    template_name = "blog/series_detail.html"
    paginate_by = 30

    def get_queryset(self):
        self.series = public_or_404(self.request, Series, self.kwargs["slug"])
        self.listed = self.series
        return super().get_queryset().in_series(self.series)

    def get_context_data(self, **kwargs):
        return super().get_context_data(series=self.series, **kwargs)


class CategoryDetailView(PublishedArticleMixin, ListView):
    template_name = "blog/category_detail.html"

    def get_queryset(self):
        self.category = public_or_404(self.request, Category, self.kwargs["slug"])
        self.listed = self.category
        return super().get_queryset().filter(category=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class TagDetailView(PublishedArticleMixin, ListView):
    template_name = "blog/tag_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            self.tag = self.listed = public_or_404(request, Tag, kwargs["slug"])
        except Http404:
            # another spelling of a tag's name (エヌビディア for NVIDIA, a merged tag's old address)
            target = suggestions.tag_for_spellings(alias_table(request).by_slug(kwargs["slug"]))
            if target is None or target.slug == kwargs["slug"]:
                raise
            return redirect(target)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().with_tag(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorDetailView(PublishedArticleMixin, ListView):
    template_name = "blog/author_detail.html"

    def get_queryset(self):
        self.author = public_or_404(self.request, Author, self.kwargs["slug"], related=["photo"])
        self.listed = self.author
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArchiveIndexView(TemplateView):
    template_name = "blog/archive_index.html"

    def get_context_data(self, **kwargs):
        fragments.shows(self.request, ARTICLES)
        months = Article.objects.published().datetimes("published_at", "month", order="DESC")
        return super().get_context_data(months=months, **kwargs)


class ArchivePeriodView(PublishedArticleMixin, ListView):
    """Articles published in a year, or a month, of Japan time."""

    template_name = "blog/archive_period.html"
    first_year, last_year = 1990, 2999

    def get_queryset(self):
        year, month = self.kwargs["year"], self.kwargs.get("month")
        if not self.first_year <= year <= self.last_year:
            raise Http404("年の範囲外です")
        tz = timezone.get_current_timezone()
        if month:
            start = datetime.datetime(year, month, 1, tzinfo=tz)
            days = calendar.monthrange(year, month)[1]
            end = start + datetime.timedelta(days=days)
        else:
            start = datetime.datetime(year, 1, 1, tzinfo=tz)
            end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
        self.period_start, self.month = start, month
        return super().get_queryset().filter(published_at__gte=start, published_at__lt=end)

    def get_context_data(self, **kwargs):
        return super().get_context_data(period_start=self.period_start, month=self.month, **kwargs)


class TagIndexView(TemplateView):
    """Every tag with a published article: most used first, or by initial (``?order=name``)."""

    template_name = "blog/tag_index.html"
    cache_parameters = {"order": str.strip}

    def get_context_data(self, **kwargs):
        order = indexes.TAG_ORDERS.get(self.request.GET.get("order", ""))
        if order is None:
            raise Http404("並べ方の指定が正しくありません")
        shown_here = {ARTICLES, "tags"}  # every tag's name and count
        tags = fragments.get_or_set(self.request, "index:tags", indexes.tag_entries, shown_here)
        groups = []
        if order == "name":
            by_initial = lambda: indexes.by_initial(tags)  # noqa: E731
            groups = fragments.get_or_set(self.request, "index:tags:by-initial", by_initial, shown_here)
        return super().get_context_data(tags=tags, groups=groups, order=order, **kwargs)


class CategoryIndexView(TemplateView):
    template_name = "blog/category_index.html"

    def get_context_data(self, **kwargs):
        categories = fragments.get_or_set(self.request, "index:categories", indexes.category_entries, {ARTICLES, "categories"})
        return super().get_context_data(categories=categories, **kwargs)


class AuthorIndexView(TemplateView):
    template_name = "blog/author_index.html"

    def get_context_data(self, **kwargs):
        authors = fragments.get_or_set(self.request, "index:authors", indexes.author_entries, {ARTICLES, "authors"})
        return super().get_context_data(authors=authors, **kwargs)


def search_parameter(query: str) -> str:
    """The query as the view reads it (the page cache rewrites the request to this)."""
    return " ".join(text.clean_user_text(query, MAX_QUERY_LENGTH).split())


def sort_parameter(value: str) -> str:
    """``sort`` as the view reads it: the default order is no parameter."""
    value = text.clean_user_text(value, search_filters.MAX_VALUE_LENGTH)
    return "" if value == SEARCH_ORDERS[0] else value


class SearchView(PublishedArticleMixin, ListView):
    template_name = "blog/search.html"
    keep_count = False  # one path, every query: SearchResults counts (and caps) itself
    cache_parameters = {
        "page": page_number,
        "q": search_parameter,
        "sort": sort_parameter,
        **{name: search_filters.parameter for name in search_filters.PARAMETERS},
    }
    cache_only_repeated = True  # one-off queries are answered, not kept

    def get_queryset(self):
        self.query = text.clean_user_text(self.request.GET.get("q", ""), MAX_QUERY_LENGTH)
        self.aliases = alias_table(self.request) if self.query else aliases.EMPTY
        self.parsed = search_query.parse(self.query, self.aliases)
        self.terms = self.parsed.highlights  # every spelling that may match, for <mark>
        self.filters = search_filters.read(self.request.GET, fragments.remembered(self.request, "search", {SEARCH}))
        self.order, notice = search_view.read_order(sort_parameter(self.request.GET.get("sort", "")))
        self.notices = [notice, *self.filters.notices] if notice else self.filters.notices
        if not self.parsed:
            return Article.objects.none()
        listing = self.filters.apply(Article.objects.published().for_cards(with_text=True))
        return SearchResults(
            listing, self.parsed, fragments.search_memo(self.request), rows=fragments.search_rows(self.request),
            order=self.order, scope=self.filters.key,
        )

    def get_context_data(self, **kwargs):
        results = self.object_list if isinstance(self.object_list, SearchResults) else None
        page = search_view.SearchPage(self.query, self.order, self.filters, results)
        fragments.shows(self.request, SEARCH)
        context = super().get_context_data(
            query=self.query,
            terms=self.terms,
            passage_terms=[term.spellings for term in self.parsed.terms],
            search_capped=bool(results and results.capped),
            search=page,
            notices=self.notices,
            page_query=page.link_query(),
            **kwargs,
        )
        if self.parsed and not context["paginator"].count:
            listing = Article.objects.published().for_listing()
            context["no_results"] = suggestions.no_result_help(fragments.search_memo(self.request), listing, self.parsed, self.aliases)
        return context


@require_safe
@ratelimit.per_minute("SEARCH_SUGGEST_PER_MINUTE", scope="suggest")
def search_suggestions(request):
    """``{"query": …, "suggestions": [{kind, label, url, note}, …]}`` for the search box: at
    most ``suggestions.MAX_SUGGESTIONS``, kept until a public article changes once asked twice."""
    raw = request.GET.get("q")
    if raw is None or len(raw) > MAX_QUERY_LENGTH:
        return JsonResponse({"error": f"q（{MAX_QUERY_LENGTH}文字まで）を指定してください。"}, status=400)
    prefix = search_parameter(raw)
    token = "suggest:" + hashlib.sha256(text.normalize(prefix).encode()).hexdigest()

    def compute():
        return [s.as_json() for s in suggestions.suggest(prefix, alias_table(request))]

    found = fragments.get_or_set_repeated(request, token, compute, {SEARCH, ALIASES})
    response = JsonResponse({"query": prefix, "suggestions": found}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=60"
    return response


# The page cache leaves it alone: every answer passes the rate limit, and its data is remembered.
search_suggestions.cache_parameters = None


@require_safe
def robots_txt(request):
    """Let crawlers in everywhere but the admin and editor endpoints, and name the sitemaps."""
    sitemaps = [reverse("blog:sitemap"), reverse("blog:sitemap-news")]
    sitemap_urls = [settings.SITE_URL + path if settings.SITE_URL else request.build_absolute_uri(path) for path in sitemaps]
    # A custom DJANGO_ADMIN_PATH is deliberately not listed: robots.txt would publish it (the
    # admin's own pages already say noindex). Search results stay crawlable on purpose: their <meta name="robots" content="noindex">
    # only works if crawlers may fetch the page and read it.
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /markdownx/", ""]
    lines += [f"Sitemap: {url}" for url in sitemap_urls] + [""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
