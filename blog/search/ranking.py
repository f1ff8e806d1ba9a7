"""The relevance order of the search page: a score from where and how often the terms occur.

Every match contains every term (the search requires it), so what tells matches apart is
*where* each term occurs and *how often*:

    score = TIER × Σ place(term)  +  Σ f / (K1 + f),   f = tf / (1 − B + B × length / mean length)

* ``place(term)`` is the weight of the best field the term occurs in — title 8, excerpt 4,
  tags 2, body 1 (``FIELD_WEIGHTS``); a Latin word or a number counts in a field only as a
  whole word (``occurs_in``: 「7」 is not in the title 「2017年12月号」). The weights double, so a term moved up one field outweighs
  any other term moved down; summed over the terms, a title holding more of the terms ranks
  above a title holding fewer.
* The second sum is BM25's saturating term frequency: ``tf`` is how often the term occurs in
  the whole document (title, excerpt, body), ``length`` the document's length in characters
  and the mean taken over the ranked matches. Each term adds less than 1, so the sum stays
  below ``TIER`` and only orders matches whose places are equal.
* Document frequency (BM25's IDF) is left out: within the matches every term occurs in every
  document, so it would weigh each term the same.
* Scores equal to two decimals are a tie; the newer article comes first.

Only the matches ``SearchResults`` has already found (at most ``RESULT_LIMIT``) are scored:
scoring needs no index and reads a dozen numbers per match.
"""

import functools
import re
from dataclasses import dataclass

from .. import text
from .query import Query

FIELD_WEIGHTS = {"title": 8, "excerpt": 4, "tags": 2, "body": 1}
K1 = 1.2
B = 0.75
TIER = 10  # above the largest frequency part: MAX_TERMS terms, each adding less than 1


@dataclass
class Match:
    """What the score reads of one matching article (normalized text, as the search matches it)."""

    pk: int
    published_at: object  # a datetime; only compared
    title: str
    excerpt: str
    tags: list[str]
    length: int
    frequencies: list[int]  # occurrences of each term in the whole document, in query order


def _latin(spelling: str) -> bool:
    return spelling.isascii() and spelling[:1].isalnum() and spelling[-1:].isalnum()


@functools.lru_cache(maxsize=256)
def _whole(spelling: str) -> re.Pattern:
    return re.compile(rf"(?<![0-9a-z]){re.escape(spelling)}(?![0-9a-z])")


def occurs_in(spelling: str, field: str) -> bool:
    """Whether ``spelling`` occurs in ``field``; a Latin word or a number only as a whole one
    (「7」 is not in 「2017年12月」, 「ai」 is not in 「openai」, but is in 「生成ai」)."""
    if spelling not in field:
        return False
    return not _latin(spelling) or _whole(spelling).search(field) is not None


def place(spellings: tuple[str, ...], match: Match) -> int:
    """The weight of the best field that contains any of ``spellings`` (``occurs_in``); the body's
    when none does (the search found the term somewhere, perhaps inside a longer word)."""
    if any(occurs_in(s, match.title) for s in spellings):
        return FIELD_WEIGHTS["title"]
    if any(occurs_in(s, match.excerpt) for s in spellings):
        return FIELD_WEIGHTS["excerpt"]
    if any(occurs_in(s, tag) for tag in match.tags for s in spellings):
        return FIELD_WEIGHTS["tags"]
    return FIELD_WEIGHTS["body"]


def frequency_part(tf: int, length: int, mean_length: float) -> float:
    normalized = tf / (1 - B + B * length / mean_length) if mean_length else float(tf)
    return normalized / (K1 + normalized)


def score(query: Query, match: Match, mean_length: float) -> float:
    places = sum(place(term.spellings, match) for term in query.terms)
    frequencies = sum(frequency_part(tf, match.length, mean_length) for tf in match.frequencies)
    return TIER * places + frequencies


def rank(query: Query, matches: list[Match]) -> list[int]:
    """The ids of ``matches``, best first; the newer first among equal scores."""
    if not matches:
        return []
    mean_length = sum(m.length for m in matches) / len(matches)
    scored = [(round(score(query, m, mean_length), 2), m) for m in matches]
    scored.sort(key=lambda pair: (pair[0], pair[1].published_at, pair[1].pk), reverse=True)
    return [m.pk for _, m in scored]


def newest_first(matches: list[Match]) -> list[int]:
    return [m.pk for m in sorted(matches, key=lambda m: (m.published_at, m.pk), reverse=True)]


def occurrences(document_length: int, stripped_length: int, needle: str) -> int:
    """How often ``needle`` occurs, from the length of the text with every occurrence removed."""
    return (document_length - stripped_length) // len(needle)


def normalized_tag(name: str) -> str:
    return text.normalize(name)
