"""The index pages' data: every tag, category and author with a published article, and how many.

Each list is one grouped query whatever the number of rows (the tag list is read on the narrow
tag table, joined to ``Article.objects.published()``), kept by the views under the cache tags
``articles`` and ``tags`` / ``categories`` / ``authors`` (blog/cache/tags.py).

The tag index can also be read by initial, the way a Japanese book index is: Latin letters A–Z,
then the gojūon rows あ行…わ行 (kana by their row, kanji by their reading), then その他.
"""

import functools
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Article, Author, Category, TaggedArticle, slug_url

OTHER = "その他"
# The first kana of each gojūon row, and the kana it holds (voiced and small kana fold onto these).
ROWS = {
    "あ": "あいうえお",
    "か": "かきくけこ",
    "さ": "さしすせそ",
    "た": "たちつてと",
    "な": "なにぬねの",
    "は": "はひふへほ",
    "ま": "まみむめも",
    "や": "やゆよ",
    "ら": "らりるれろ",
    "わ": "わゐゑをん",
}
_ROW_OF = {kana: row for row, members in ROWS.items() for kana in members}
_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_KATAKANA = range(0x30A1, 0x30F7)  # ァ…ヶ; ヷ–ヺ decompose onto ワ, ヰ, ヱ, ヲ first
_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Group order on the page: A–Z, あ行–わ行, その他.
GROUP_ORDER = {key: index for index, key in enumerate([*_LATIN, *ROWS, OTHER])}


@dataclass(frozen=True)
class Entry:
    """One row of an index page: a tag, category or author, its URL and its public article count."""

    name: str
    url: str
    count: int
    description: str = ""
    is_team: bool = False


@dataclass(frozen=True)
class Group:
    key: str  # "A", "あ" or "その他"
    label: str  # "A", "あ行" or "その他"
    entries: list


def tag_entries() -> list[Entry]:
    """Every tag on a published article, with how many published articles carry it; most used first."""
    rows = (
        TaggedArticle.objects.filter(content_object__in=Article.objects.published().values("pk"))
        .values("tag__name", "tag__slug")
        .annotate(count=Count("pk"))
        .order_by("-count", "tag__name")
        .values_list("tag__name", "tag__slug", "count")
    )
    return [Entry(name, slug_url("blog:tag-detail", slug), count) for name, slug, count in rows]


def _with_counts(model, relation: str):
    """``model``'s rows with at least one published article, annotated with ``article_count``."""
    public = Q(**{f"{relation}__in": Article.objects.published().values("pk")})
    return model.objects.annotate(article_count=Count(relation, filter=public)).filter(article_count__gt=0)


def category_entries() -> list[Entry]:
    """Every category with a published article, in the navigation's order (by name)."""
    categories = _with_counts(Category, "articles").order_by("name").only("name", "slug", "description")
    return [Entry(c.name, c.get_absolute_url(), c.article_count, c.description) for c in categories]


def author_entries() -> list[Entry]:
    """Every author with a published article; the most prolific first."""
    authors = _with_counts(Author, "articles").order_by("-article_count", "name").only("name", "slug", "bio", "is_team")
    return [Entry(a.name, a.get_absolute_url(), a.article_count, a.bio, a.is_team) for a in authors]


# -- Reading tags by initial ------------------------------------------------------------


def _kana_row(char: str) -> str | None:
    """The gojūon row of a kana (``が`` → ``か``, ``ッ`` → ``た``, ``ｱ`` → ``あ``), else ``None``."""
    char = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char))[:1]
    if char and ord(char) in _KATAKANA:
        char = chr(ord(char) - 0x60)
    return _ROW_OF.get(char.translate(_SMALL))


@functools.cache
def _kakasi():
    import pykakasi  # its dictionaries take a moment to load: only when a kanji tag needs reading

    return pykakasi.kakasi()


@functools.lru_cache(maxsize=16384)
def reading(name: str) -> str:
    """How ``name`` sorts in a Japanese index: kana as hiragana, kanji by their reading, Latin folded."""
    name = unicodedata.normalize("NFKC", name)
    if not name or name[0].isascii():
        return name.casefold()
    if any(unicodedata.name(char, "").startswith("CJK") for char in name):
        name = "".join(part["hira"] for part in _kakasi().convert(name))
    return "".join(chr(ord(c) - 0x60) if ord(c) in _KATAKANA else c for c in name).casefold()


def initial(name: str) -> str:
    """The index group of a tag: ``"A"``–``"Z"``, a gojūon row ``"あ"``–``"わ"``, or ``"その他"``."""
    read = reading(name)
    if not read:
        return OTHER
    first = read[0].upper()
    if first in _LATIN:
        return first
    return _kana_row(read[0]) or OTHER


def by_initial(entries: list[Entry]) -> list[Group]:
    """``entries`` grouped by ``initial()`` in the page's group order, each group by reading."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(initial(entry.name), []).append(entry)
    return [
        Group(key, f"{key}行" if key in ROWS else key, sorted(items, key=lambda e: (reading(e.name), e.name)))
        for key, items in sorted(groups.items(), key=lambda item: GROUP_ORDER[item[0]])
    ]


TAG_ORDERS = {"": "count", "name": "name"}  # ?order= → how the tag index is shown
