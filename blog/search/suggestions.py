"""What the search offers besides results: suggestions as the reader types, and help when nothing matched.

Suggestions come from ``SOURCES``, each a function ``(prefix, aliases, limit) → [Suggestion]``
asked in order until ``MAX_SUGGESTIONS`` are found: tags first (by name, or by any spelling of
their alias group — エヌビディア offers NVIDIA), then series (連載), then article titles.
"""

import functools
import operator
from dataclasses import asdict, dataclass

from django.db import connections
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length

from .. import text
from ..models import Article, Series, Tag
from ..visibility import with_public_articles
from . import RESULT_LIMIT, SearchGrams, SearchResults, bigrams
from .aliases import AliasTable
from .query import Query

MAX_SUGGESTIONS = 10
TITLE_SUGGESTIONS = 5
RELATED_TAGS = 6


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "tag", "series" or "article"
    label: str
    url: str
    note: str = ""  # why it is offered, when the label does not show it (the alias typed)

    def as_json(self) -> dict:
        return asdict(self)


def _named(spellings) -> Q:
    """Tags named any of ``spellings`` (tag names keep their case; spellings may not)."""
    return functools.reduce(operator.or_, [Q(name__iexact=s) for s in spellings], Q(pk__in=[]))


def tag_for_spellings(spellings) -> Tag | None:
    """The public tag named one of ``spellings`` (the preferred spelling's tag first)."""
    if not spellings:
        return None
    tags = list(with_public_articles(Tag).filter(_named(spellings)))
    order = {text.normalize(s): i for i, s in enumerate(spellings)}
    return min(tags, key=lambda t: order.get(text.normalize(t.name), len(order)), default=None)


def tag_suggestions(prefix: str, aliases: AliasTable, limit: int) -> list[Suggestion]:
    """Public tags whose name starts with (then contains) ``prefix``, and the tags of alias
    groups with a spelling that does."""
    groups = aliases.completions(prefix, limit)
    via_alias = {}  # normalized tag name → the spelling that led there
    folded = text.normalize(prefix)
    for group in groups:
        typed = next((s for s in group if text.normalize(s).startswith(folded)), None) or next(
            (s for s in group if folded in text.normalize(s)), group[0]
        )
        for spelling in group:
            via_alias.setdefault(text.normalize(spelling), typed)
    matches = Q(name__icontains=prefix) | _named([s for group in groups for s in group])
    rank = Case(
        When(name__istartswith=prefix, then=Value(0)), When(name__icontains=prefix, then=Value(2)),
        default=Value(1), output_field=IntegerField(),
    )
    tags = with_public_articles(Tag).filter(matches).alias(rank=rank).order_by("rank", Length("name"), "name")[:limit]
    found = []
    for tag in tags:
        typed = via_alias.get(text.normalize(tag.name))
        hidden = typed and folded not in text.normalize(tag.name)
        found.append(Suggestion("tag", tag.name, tag.get_absolute_url(), f"「{typed}」の別名" if hidden else ""))
    return found


def title_suggestions(prefix: str, aliases: AliasTable, limit: int) -> list[Suggestion]:
    """The newest public articles whose title contains ``prefix`` (or, for an alias typed
    whole, any spelling of its group)."""
    folded = text.normalize(prefix)
    spellings = [folded, *(s for s in aliases.normalized(folded) if s != folded)]
    qs = Article.objects.published().filter(functools.reduce(operator.or_, [Q(search_title__contains=s) for s in spellings]))
    if connections[qs.db].vendor == "postgresql" and len(spellings) == 1:
        # the title grams index finds the candidates
        keys = [folded] if len(folded) <= 2 else bigrams(folded)
        qs = qs.alias(_title_grams=SearchGrams("search_title")).filter(_title_grams__contains=keys)
    rows = qs.order_by("-published_at", "-pk").values_list("title", "slug")[: min(limit, TITLE_SUGGESTIONS)]
    return [Suggestion("article", title, Article(slug=slug).get_absolute_url()) for title, slug in rows]


def series_suggestions(prefix: str, aliases: AliasTable, limit: int) -> list[Suggestion]:
    """Series (連載) with a published article whose title contains ``prefix`` (starting with it first)."""
    rank = Case(When(title__istartswith=prefix, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = (
        with_public_articles(Series).filter(title__icontains=prefix).alias(rank=rank)
        .order_by("rank", Length("title"), "title").values_list("title", "slug")[:limit]
    )
    return [Suggestion("series", title, Series(slug=slug).get_absolute_url(), "連載") for title, slug in rows]


SOURCES = (tag_suggestions, series_suggestions, title_suggestions)


def suggest(prefix: str, aliases: AliasTable) -> list[Suggestion]:
    """At most ``MAX_SUGGESTIONS`` for ``prefix`` (already cleaned), each source in turn."""
    found: list[Suggestion] = []
    if not text.normalize(prefix).strip():
        return found
    for source in SOURCES:
        room = MAX_SUGGESTIONS - len(found)
        if room <= 0:
            break
        seen = {s.url for s in found}
        found += [s for s in source(prefix, aliases, room) if s.url not in seen][:room]
    return found


# -- when nothing matched ------------------------------------------------------------------


@dataclass(frozen=True)
class NoResultHelp:
    relaxed: str = ""  # the query without its least frequent term (or terms), when that finds something
    relaxed_count: int = 0  # capped at RESULT_LIMIT, like the page's own count
    relaxed_capped: bool = False
    dropped: str = ""  # the terms left out, as 「a」「b」 reads
    meant: str = ""  # the query with the alias it may have meant
    meant_word: str = ""
    tags: tuple = ()  # (name, url) of related tags

    def __bool__(self) -> bool:
        return bool(self.relaxed or self.meant or self.tags)


def _count(listing, query: Query, memo) -> int:
    return SearchResults(listing, query, memo).count()


def no_result_help(memo, listing, query: Query, aliases: AliasTable) -> NoResultHelp:
    """Ways on from a search that found nothing (``listing``: ``published().for_listing()``).

    A constant number of queries: a count per term and one per shorter query tried (each at
    most ``query.MAX_TERMS``), one for the related tags — each count remembered like a search's.
    """
    relaxed, relaxed_count, relaxed_capped, dropped = "", 0, False, ""
    rarest = None
    if len(query.terms) >= 2:
        counts = [_count(listing, Query((term,), query.excluded), memo) for term in query.terms]
        by_rarity = [term for _, _, term in sorted(zip(counts, range(len(counts)), query.terms))]
        rarest = by_rarity[0]
        # leave out the rarest term, then the next rarest, until the rest finds something
        for n in range(1, len(by_rarity)):
            left_out = by_rarity[:n]
            rest = Query(tuple(t for t in query.terms if t not in left_out), query.excluded)
            relaxed_count = _count(listing, rest, memo)
            if relaxed_count:
                relaxed = rest.text
                dropped = "」「".join(t.label for t in query.terms if t in left_out)
                relaxed_capped = relaxed_count >= RESULT_LIMIT
                break
    meant, meant_word = "", ""
    candidates = ([rarest] if rarest else []) + [t for t in query.terms if t is not rarest]
    for term in candidates:
        word = aliases.closest(term.label, cutoff=0.72)
        if word:
            meant, meant_word = query.text_replacing(term, word), word
            break
    needles = [n for term in query.terms for n in term.needles if len(n) >= 2]
    needles += [s for s in aliases.group(meant_word)] if meant_word else []
    tags = ()
    if needles:
        named = functools.reduce(operator.or_, [Q(name__icontains=n) for n in dict.fromkeys(needles)])
        rows = with_public_articles(Tag).filter(named).order_by(Length("name"), "name")[:RELATED_TAGS]
        tags = tuple((tag.name, tag.get_absolute_url()) for tag in rows)
    return NoResultHelp(relaxed, relaxed_count, relaxed_capped, dropped, meant, meant_word, tags)

