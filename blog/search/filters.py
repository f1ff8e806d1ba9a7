"""Narrowing a search by category, tag, author and publication date, as the URL says.

``?category=<slug>&tag=<slug>&author=<slug>&from=YYYY-MM-DD&to=YYYY-MM-DD`` (any of them, with
``q`` and ``sort``). A value that names nothing public, or a date that cannot be read, is left
out and the page says so (``Filters.notices``): the reader keeps the query and its results.
The dates are days of Japan time, both ends included.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Value
from django.utils import timezone

from .. import text
from ..models import Author, Category, Tag
from ..visibility import with_public_articles

SLUG_FILTERS = {"category": Category, "tag": Tag, "author": Author}
DATE_FILTERS = ("from", "to")
PARAMETERS = (*SLUG_FILTERS, *DATE_FILTERS)
LABELS = {"category": "カテゴリー", "tag": "タグ", "author": "著者", "from": "開始日", "to": "終了日"}
MAX_VALUE_LENGTH = 100
SHOWN_IN_NOTICE = 30
FIRST_YEAR, LAST_YEAR = 1990, 2999  # the archive's years


def parameter(value: str) -> str:
    """A filter value as the view reads it (the page cache rewrites the request to this)."""
    return text.clean_user_text(value, MAX_VALUE_LENGTH)


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_IN_NOTICE else value[:SHOWN_IN_NOTICE] + "…"


@dataclass(frozen=True)
class Chosen:
    """A category, tag or author the search is narrowed to."""

    kind: str
    pk: int
    name: str
    slug: str


@dataclass
class Filters:
    chosen: dict = field(default_factory=dict)  # kind -> Chosen
    start: datetime.date | None = None
    end: datetime.date | None = None
    notices: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.chosen or self.start or self.end)

    def apply(self, queryset):
        """``queryset`` narrowed to the chosen category, tag, author and days."""
        if "category" in self.chosen:
            queryset = queryset.filter(category_id=self.chosen["category"].pk)
        if "tag" in self.chosen:
            queryset = queryset.filter(tagged_items__tag_id=self.chosen["tag"].pk)
        if "author" in self.chosen:
            queryset = queryset.filter(authors__id=self.chosen["author"].pk)
        tz = timezone.get_current_timezone()
        if self.start:
            queryset = queryset.filter(published_at__gte=datetime.datetime.combine(self.start, datetime.time(), tz))
        if self.end:
            after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(), tz)
            queryset = queryset.filter(published_at__lt=after)
        return queryset

    @property
    def key(self) -> str:
        """What the narrowed set depends on (cache key material)."""
        parts = [f"{kind}={chosen.pk}" for kind, chosen in sorted(self.chosen.items())]
        parts += [f"from={self.start or ''}", f"to={self.end or ''}"]
        return "&".join(parts)

    @property
    def parameters(self) -> dict:
        """The filters as URL parameters, in a fixed order, only those in use."""
        values = {kind: self.chosen[kind].slug for kind in SLUG_FILTERS if kind in self.chosen}
        if self.start:
            values["from"] = self.start.isoformat()
        if self.end:
            values["to"] = self.end.isoformat()
        return values


def _read_date(raw: str, label: str, notices: list) -> datetime.date | None:
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        notices.append(f"{label}「{_shown(raw)}」は日付として読めないため、使っていません（例：2025-04-01）。")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        notices.append(f"{label}「{_shown(raw)}」は範囲外のため、使っていません。")
        return None
    return day


def _lookup(wanted: dict) -> dict:
    """The public category, tag and author with the wanted slugs, in one query."""
    parts = [
        with_public_articles(model).filter(slug=wanted[kind]).order_by().annotate(kind=Value(kind)).values_list("kind", "pk", "name", "slug")
        for kind, model in SLUG_FILTERS.items()
        if kind in wanted
    ]
    rows = list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    return {kind: Chosen(kind, pk, name, slug) for kind, pk, name, slug in rows}


def read(params, memo=None) -> Filters:
    """The filters of a request's parameters (``request.GET``), with a notice for each value left out."""
    notices = []
    wanted = {kind: value for kind in SLUG_FILTERS if (value := parameter(params.get(kind, "")))}
    chosen = {}
    if wanted:
        digest = hashlib.sha256(urlencode(sorted(wanted.items())).encode()).hexdigest()
        chosen = memo(f"search-filters:{digest}", lambda: _lookup(wanted)) if memo else _lookup(wanted)
        for kind, value in wanted.items():
            if kind not in chosen:
                notices.append(f"{LABELS[kind]}「{_shown(value)}」は見つからないため、{LABELS[kind]}では絞り込んでいません。")
    start = _read_date(parameter(params.get("from", "")), LABELS["from"], notices)
    end = _read_date(parameter(params.get("to", "")), LABELS["to"], notices)
    if start and end and start > end:
        start, end = end, start
        notices.append("開始日が終了日より後だったため、入れ替えました。")
    return Filters(chosen=chosen, start=start, end=end, notices=notices)
