"""ASCII slug suggestions for Japanese titles: 「GPT-5の衝撃」 → ``gpt-5-no-shougeki``.

The editor is offered the suggestion on the article form and may take it; nothing is changed
without them. pykakasi reads kanji by its dictionary, so a suggestion can misread a name — which
is why it is only a suggestion.
"""

import functools
import re
import unicodedata

from django.utils.text import slugify

from blog import text

_JAPANESE_RE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


@functools.cache
def _kakasi():
    import pykakasi  # imported on first use: its dictionaries take a moment to load

    return pykakasi.kakasi()


def has_japanese(value: str) -> bool:
    return bool(_JAPANESE_RE.search(value or ""))


def romaji_slug(title: str, max_length: int = text.SLUG_MAX) -> str:
    """An ASCII slug read from ``title`` (Hepburn romaji), by the same rule as every slug:
    markup removed, no punctuation, at most ``max_length`` characters. ``""`` for a title
    without Japanese (its ordinary slug is already ASCII) or without any readable word."""
    plain = unicodedata.normalize("NFKC", text.strip_markup(title))
    if not has_japanese(plain):
        return ""
    words = " ".join(part["hepburn"] for part in _kakasi().convert(plain))
    slug = slugify(words)  # ASCII only: anything pykakasi could not read is dropped
    slug = re.sub(r"-{2,}", "-", slug)
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        # Prefer ending at a word boundary in the last third.
        boundary = cut.rfind("-")
        slug = cut[:boundary] if boundary >= max_length * 2 // 3 else slug[:max_length]
    return slug.strip("-_")
