"""Site search that stays fast on a large archive, with the same results as ``ArticleQuerySet.search``.

The rule is ``ArticleQuerySet.search``: every term (NFKC + case-folded) occurs in the title,
excerpt or body; title hits first, then newest first. Ranking every match and counting them
all cost a full pass over the matches — 100,000 documents for a word like 「推論」. So here:

* Title hits and the other hits are two segments, each read newest first (an article whose
  title has every term has them in ``search_document`` too: ``Article.render`` puts the title
  first), and a page takes rows from the first, then the second.
* Counting stops at ``RESULT_LIMIT`` (the page says 「120件以上」; later pages are 404).
* Each segment is read by its index when it is small, and by walking the newest-first index
  when it is large (it then fills a page after a few rows). The counts, which stop early,
  tell which — the planner cannot know how common a word is.
* On PostgreSQL, terms of one or two characters use ``blog_search_grams`` (migration 0006):
  exact, so the documents are not even read. Longer terms use the trigram index.

The search page orders the matches by relevance (``order="relevance"``, ``ranking.py``) or
newest first (``order="new"``). Either order is taken within the capped result set: the first
``RESULT_LIMIT`` matches of the segments above (relevance), or of all matches newest first
(new). One query reads, for each of them, the few numbers the score needs (where the terms
occur, how often, the document's length) with its category; one more reads their tags and
authors, which the score and the facet counts (``facets``) use.

A page costs a constant number of queries: the two counts in one, the page's ids in one (or
the ranked set in two), then the articles with their authors and tags. The counts and a page's ids depend only on the
terms and the published content, so ``SearchResults`` takes a ``memo``: the caller may hand back
what it computed for the same search before (the search page keeps them until a public article
changes), and the same search by another reader then costs the articles' query alone.
"""

import functools
import hashlib
import operator

from django.contrib.postgres.fields import ArrayField
from django.db import connections, models
from django.db.models import Func, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Least, Length, Replace, StrIndex
from django.utils import timezone

from .. import text
from ..markdown.text import html_to_text
from ..models import Article, TaggedArticle
from . import ranking
from .query import Query

ORDERS = ("relevance", "new")
FACET_SIZE = 10  # values shown per facet, the most frequent first

RESULT_LIMIT = 120  # ten pages
# How many of the newest articles a cheap walk reads to recognise a common term (see _common).
COMMON_WINDOW = 150
# Exact counts are cheap (no document is read), so they may look further before the walk.
PROBE_LIMIT = 2000
SHORT = 2  # the grams index holds single characters and pairs


class SearchGrams(Func):
    """``blog_search_grams(text)``: every character and pair of adjacent characters (PostgreSQL)."""

    function = "blog_search_grams"
    output_field = ArrayField(models.TextField())


def bigrams(needle: str) -> list[str]:
    return [needle[i : i + 2] for i in range(len(needle) - 1)] or [needle]


def grams(value: str) -> set[str]:
    """What ``blog_search_grams`` returns, as a set (for tests and reasoning)."""
    return set(value) | {value[i : i + 2] for i in range(len(value) - 1)}


class SearchResults:
    """The matches of ``terms`` in ``queryset`` (a ``published().for_listing()``), for a Paginator.

    ``count()`` stops at ``RESULT_LIMIT``; ``capped`` says there are more.
    """

    model = Article  # ListView names its context after it

    def __init__(self, queryset, query: Query | list[str], memo=None, *, rows=None, order: str | None = None, scope: str = ""):
        """``order``: ``"relevance"``, ``"new"``, or ``None`` for the order of ``ArticleQuerySet.search``;
        ``scope`` names what ``queryset`` is narrowed to (part of the search's identity).

        ``memo(identity, name, compute)``, if given, may return a value computed earlier for the
        same search (``identity``: terms in any order, and scope) instead of ``compute()``;
        ``rows(listing, ids)``, if given, reads the page's articles as ``{id: article}``."""
        self.listing, self.memo, self.rows = queryset, memo, rows
        self.query = query if isinstance(query, Query) else Query.exact(query)
        self.order, self.scope = order, scope
        self._ranked = None
        self.base = self._without_excluded(queryset.select_related(None).prefetch_related(None).order_by())
        self.terms = [term.needles for term in self.query.terms]  # each: any of these spellings
        self.short = all(len(n) <= SHORT for term in self.terms for n in term)
        self.postgres = connections[queryset.db].vendor == "postgresql"
        self._counts = None

    # -- predicates ------------------------------------------------------------------------

    def _without_excluded(self, qs):
        # NOT LIKE uses no index, so it cannot tempt the planner away from the chosen plan
        for phrase in self.query.excluded:
            qs = qs.exclude(search_document__contains=phrase)
        return qs

    @staticmethod
    def _any(field: str, spellings) -> Q:
        return functools.reduce(operator.or_, [Q(**{f"{field}__contains": n}) for n in spellings])

    def _title_all(self) -> Q:
        return Q(*[self._any("search_title", term) for term in self.terms])

    def _walked(self, qs, field: str, prefix: str):
        """strpos tests: the same as LIKE, but no index tempts the planner away from the walk.

        One condition, ``LEAST`` over the terms of ``GREATEST`` over each term's spellings
        ``> 0``: the planner estimates a single condition as matching a third of the rows, so it
        walks the newest-first index for any number of terms. As separate conditions, five terms
        would be estimated at a third to the fifth (121 of 29,500 articles) and every match sorted
        instead — 7 s for a five-word query that nearly every article matches.
        """

        def either(term):
            tests = [StrIndex(field, Value(n)) for n in term]
            return tests[0] if len(tests) == 1 else Greatest(*tests)

        tests = [either(term) for term in self.terms]
        found = tests[0] if len(tests) == 1 else Least(*tests)
        return qs.alias(**{f"_{prefix}_found": found}).filter(**{f"_{prefix}_found__gt": 0})

    def _titles(self, walk: bool):
        qs = self.base
        if not self.postgres:
            return qs.filter(self._title_all())
        if walk:  # no index condition: the newest-first walk checks short titles cheaply
            return self._walked(qs, "search_title", "t")
        single = [term[0] for term in self.terms if len(term) == 1]
        keys = sorted({g for n in single for g in ([n] if len(n) <= SHORT else bigrams(n))})
        if keys:
            qs = qs.alias(_title_grams=SearchGrams("search_title")).filter(_title_grams__contains=keys)
        else:
            qs = qs.alias(_title_grams=SearchGrams("search_title"))
        for term in self.terms:
            if len(term) > 1:  # either spelling: each one's bigrams, or the pair itself
                qs = qs.filter(
                    functools.reduce(
                        operator.or_,
                        [Q(_title_grams__contains=[n] if len(n) <= SHORT else bigrams(n)) for n in term],
                    )
                )
        return qs.filter(*[self._any("search_title", term) for term in self.terms if any(len(n) > SHORT for n in term)])

    def _documents(self, walk: bool):
        qs = self.base
        if not self.postgres:
            return qs.filter(*[self._any("search_document", term) for term in self.terms])
        if walk:
            return self._walked(qs, "search_document", "d")
        qs = qs.alias(_document_grams=SearchGrams("search_document"))
        exact = sorted({term[0] for term in self.terms if len(term) == 1 and len(term[0]) <= SHORT})
        if exact:  # one array test: the grams index intersects the posting lists itself
            qs = qs.filter(_document_grams__contains=exact)
        for term in self.terms:
            if len(term) == 1 and len(term[0]) <= SHORT:
                continue
            short = [n for n in term if len(n) <= SHORT]
            long = [n for n in term if len(n) > SHORT]
            tests = ([Q(_document_grams__overlap=short)] if short else []) + [
                Q(search_document__contains=n) for n in long
            ]
            qs = qs.filter(functools.reduce(operator.or_, tests))
        return qs

    def _probe_limits(self) -> tuple[int, int]:
        """How far to count title hits and all hits before walking the newest-first index instead.

        Exact (short-term) document counts read no document, so they may look further: walking
        for a word in 0.12 % of 100,000 articles would read 10,000 of them to fill one page.
        """
        if self.postgres and self.short:
            return RESULT_LIMIT, PROBE_LIMIT
        return RESULT_LIMIT, RESULT_LIMIT

    # -- counting ----------------------------------------------------------------------------

    def _common_probe(self):
        """Matches among the newest ``COMMON_WINDOW`` articles, counted up to ``RESULT_LIMIT`` + 1.

        A word like 「推論」 is in nearly every article: counting it through the index reads its
        whole posting list, while reading a few of the newest documents proves there are more
        matches than a search shows — and that the newest-first walk fills any page at once.
        """
        window = self.base.order_by("-published_at", "-pk")[:COMMON_WINDOW]
        return self._documents(walk=True).filter(pk__in=window.values("pk"))

    def _remembered(self, name: str, compute):
        """``compute()``, or the memo's value for this search (terms in any order, and scope)."""
        if self.memo is None:
            return compute()
        identity = hashlib.sha256(f"{self.query.key}\0\0\0{self.scope}".encode()).hexdigest()
        return self.memo(identity, name, compute)

    def _count_both(self) -> tuple[int, int]:
        """(title hits, all hits), counted by ``_count_now`` or remembered."""
        if self._counts is None:
            self._counts = tuple(self._remembered("counts", self._count_now)) if self.terms else (0, 0)
        return self._counts

    def _count_now(self) -> tuple[int, int]:
        """Title hits and all hits, each counted up to its probe limit + 1, in one query.

        On PostgreSQL a common short term (see ``_common_probe``) is not counted through the
        grams index at all: ``CASE`` runs the full count only when the probe of the newest articles falls short
        (PostgreSQL evaluates an uncorrelated sub-select only when its branch is taken).
        """
        title_limit, total_limit = self._probe_limits()
        counted = [
            (self._titles(walk=False), title_limit),
            (self._documents(walk=False), total_limit),
            (self._common_probe(), RESULT_LIMIT),
        ]
        parts, params = [], []
        for i, (qs, limit) in enumerate(counted):
            sql, qparams = qs.values("pk")[: limit + 1].query.sql_with_params()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted{i})")
            params.extend(qparams)
        titles, documents, probe = parts
        # Only for short terms: a long term's trigram count rechecks at most the limit's
        # worth of documents anyway, as many as the probe would read.
        if self.postgres and self.short:
            select = f"{titles}, CASE WHEN {probe} > %s THEN %s ELSE {documents} END"
            # params follow the placeholders' order: titles, probe, the two limits, documents
            n_titles = titles.count("%s")
            n_documents = documents.count("%s")
            p_titles = params[:n_titles]
            p_documents = params[n_titles : n_titles + n_documents]
            p_probe = params[n_titles + n_documents :]
            params = [*p_titles, *p_probe, RESULT_LIMIT, total_limit + 1, *p_documents]
        else:
            select = f"{titles}, {documents}"
            params = params[: titles.count("%s") + documents.count("%s")]
        with connections[self.listing.db].cursor() as cursor:
            cursor.execute("SELECT " + select, params)
            return tuple(cursor.fetchone())

    def count(self) -> int:
        return min(self._count_both()[1], RESULT_LIMIT)

    __len__ = count

    @property
    def capped(self) -> bool:
        return self._count_both()[1] > RESULT_LIMIT

    # -- a page ------------------------------------------------------------------------------

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("SearchResults supports plain slices only")
        start, stop = key.start or 0, min(key.stop if key.stop is not None else self.count(), self.count())
        if start >= stop:
            return []
        if self.order is None:
            ids = self._remembered(f"ids:{start}:{stop}", lambda: self._page_ids(start, stop))
        else:
            ids = self.ranked()["ids"][start:stop]
        if self.rows is not None:
            rows = self.rows(self.listing, ids)
        else:
            rows = {article.pk: article for article in self.listing.filter(pk__in=ids).order_by()} if ids else {}
        return [rows[pk] for pk in ids if pk in rows]

    def _segments(self, start: int, stop: int) -> list:
        """(queryset, first, last) of each segment holding matches ``start`` to ``stop``."""
        titles, total = self._count_both()
        title_limit, total_limit = self._probe_limits()
        if self.order == "new":
            return [(self._documents(walk=total > total_limit), start, stop)]
        segments = []
        if start < titles:
            segments.append((self._titles(walk=titles > title_limit), start, min(stop, titles)))
        if stop > titles:
            segment = self._documents(walk=total > total_limit).exclude(self._title_all())
            segments.append((segment, max(start, titles) - titles, stop - titles))
        return segments

    def _page_sql(self, start: int, stop: int) -> tuple[str, list]:
        """SQL of (id, published_at, segment) of matches ``start`` to ``stop``, in order."""
        parts, params = [], []
        for i, (segment, first, last) in enumerate(self._segments(start, stop)):
            newest_first = segment.order_by("-published_at", "-pk").values_list("pk", "published_at")
            sql, qparams = newest_first[first:last].query.sql_with_params()
            parts.append(f"SELECT page{i}.*, {i} AS segment FROM ({sql}) AS page{i}")
            params.extend(qparams)
        return " UNION ALL ".join(parts) + " ORDER BY 3, 2 DESC, 1 DESC", params

    def _page_ids(self, start: int, stop: int) -> list[int]:
        """The ids of matches ``start`` to ``stop``: title hits first, each segment newest first."""
        sql, params = self._page_sql(start, stop)
        with connections[self.listing.db].cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    # -- the ranked result set -----------------------------------------------------------------

    def ranked(self) -> dict:
        """The capped result set in ``order``, with its facet counts (or the memo's):
        ``{"ids": [...], "facets": {"category" | "tag" | "author": [(slug, name, count)], "year": [(year, count)]}}``.
        """
        if self._ranked is None:
            self._ranked = self._remembered(f"ranked:{self.order}", self._rank_now) if self.count() else _no_results()
        return self._ranked

    def _rank_now(self) -> dict:
        sql, params = self._page_sql(0, self.count())
        needles = [term.needles for term in self.query.terms]
        lengths = {"length": Length("search_document")}
        for i, term in enumerate(needles):
            for j, needle in enumerate(term):
                lengths[f"stripped_{i}_{j}"] = Length(Replace("search_document", Value(needle), Value("")))
        rows = list(
            Article.objects.filter(pk__in=RawSQL(f"SELECT candidates.pk FROM ({sql}) AS candidates", params))
            .order_by()
            .annotate(**lengths)
            .values(
                "pk", "published_at", "search_title", "excerpt_html", "category__name", "category__slug", *lengths
            )
        )
        ids = [row["pk"] for row in rows]
        tags, authors = {pk: [] for pk in ids}, {pk: [] for pk in ids}
        tag_rows = TaggedArticle.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "tag__name", "tag__slug", Value(0)
        )
        author_rows = Article.authors.through.objects.filter(article_id__in=ids).values_list(
            "article_id", "author__name", "author__slug", Value(1)
        )
        for pk, name, slug, kind in tag_rows.union(author_rows, all=True):
            (authors if kind else tags)[pk].append((slug, name))
        matches = [
            ranking.Match(
                pk=row["pk"],
                published_at=row["published_at"],
                title=row["search_title"],
                excerpt=text_of(row["excerpt_html"]),
                tags=[ranking.normalized_tag(name) for _, name in tags[row["pk"]]],
                length=row["length"],
                frequencies=[
                    sum(ranking.occurrences(row["length"], row[f"stripped_{i}_{j}"], n) for j, n in enumerate(term))
                    for i, term in enumerate(needles)
                ],
            )
            for row in rows
        ]
        ordered = ranking.newest_first(matches) if self.order == "new" else ranking.rank(self.query, matches)
        categories = [(row["category__slug"], row["category__name"]) for row in rows if row["category__slug"]]
        years = [timezone.localtime(row["published_at"]).year for row in rows]
        return {
            "ids": ordered,
            "facets": {
                "category": _counted(categories),
                "tag": _counted(pair for pk in ids for pair in tags[pk]),
                "author": _counted(pair for pk in ids for pair in authors[pk]),
                "year": sorted(_tally(years).items(), reverse=True),
            },
        }

    @property
    def facets(self) -> dict:
        return self.ranked()["facets"] if self.order else _no_results()["facets"]


def text_of(excerpt_html: str) -> str:
    return text.normalize(html_to_text(excerpt_html or ""))


def _tally(values) -> dict:
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _counted(pairs) -> list[tuple[str, str, int]]:
    """(slug, name, count) of each value, the most frequent first, at most ``FACET_SIZE``."""
    counts = _tally(pairs)
    best = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))[:FACET_SIZE]
    return [(slug, name, count) for (slug, name), count in best]


def _no_results() -> dict:
    return {"ids": [], "facets": {"category": [], "tag": [], "author": [], "year": []}}
