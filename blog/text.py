"""Japanese-aware text helpers: normalization, slugs, excerpts and reading time."""

import html
import math
import re
import unicodedata

import nh3
from django.utils.text import slugify

# Sentence ends for Japanese and for Latin text embedded in it.
SENTENCE_ENDS = "。！？!?．"
ELLIPSIS = "…"

_CJK_RE = re.compile(
    "["
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B–G
    "]"
)
_LATIN_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-_.]*")
_WHITESPACE_RE = re.compile(r"\s+")

CJK_CHARS_PER_MINUTE = 550
LATIN_WORDS_PER_MINUTE = 200


# C0 controls other than tab, newline and carriage return, plus the code points XML 1.0 cannot
# carry. Browsers and feed readers disagree on what they do with them inside a URL
# ("java\x01script:"), so they are removed before anything is parsed or sanitized.
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def strip_controls(text: str) -> str:
    """Drop C0 control characters (tab, newline and CR aside), DEL, surrogates and XML non-characters."""
    return _CONTROLS_RE.sub("", text or "")


def normalize(text: str) -> str:
    """Fold full-/half-width forms and case, as search and tag matching need."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def clean_user_text(text: str, max_length: int | None = None) -> str:
    """Drop control, surrogate and unassigned code points from untrusted input."""
    text = unicodedata.normalize("NFKC", text or "")
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in {"Cc", "Cs", "Cn", "Co"}:
            kept.append(" " if char in "\t\n\r" else "")
        else:
            kept.append(char)
    text = _WHITESPACE_RE.sub(" ", "".join(kept)).strip()
    if max_length is not None:
        text = text[:max_length].strip()
    return text


def normalize_tag_name(name: str) -> str:
    """Return the canonical spelling of a tag: NFKC, trimmed, inner spaces collapsed."""
    return _WHITESPACE_RE.sub(" ", unicodedata.normalize("NFKC", name or "")).strip()


# The longest slug made from a title (or a name): short enough to read in a URL.
SLUG_MAX = 60


def strip_markup(value: str) -> str:
    """Plain text of ``value``: tags removed, ``<script>``/``<style>`` with their content."""
    return html.unescape(nh3.clean(value or "", tags=set()))


def unicode_slugify(value: str, max_length: int = SLUG_MAX) -> str:
    """Make a readable slug that keeps Japanese: 「生成AI入門」 → ``生成ai入門``.

    Markup goes first (``GPT-5の衝撃<script>…</script>LLM`` → ``gpt-5の衝撃llm``), then
    punctuation; the result is at most ``max_length`` characters, never cut inside a combined
    character, with no dash left dangling at either end.
    """
    slug = slugify(unicodedata.normalize("NFKC", strip_markup(value)), allow_unicode=True)
    if len(slug) > max_length:
        cut = max_length
        while cut > 0 and _is_joining(slug[cut]):
            cut -= 1
        slug = slug[:cut]
    return slug.strip("-_")


def _is_joining(char: str) -> bool:
    # Combining marks, variation selectors and joiners belong to the character before them.
    return (
        unicodedata.combining(char) != 0
        or unicodedata.category(char) == "Mn"
        or "\ufe00" <= char <= "\ufe0f"
        or "\U000e0100" <= char <= "\U000e01ef"
        or char in "\u200d\u3099\u309a"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def truncate_sentences(text: str, budget: int = 120) -> str:
    """Shorten ``text`` to at most ``budget`` characters, ending at a sentence end.

    Cuts after the last 。！？ (or ! ?) that fits in the budget. Without one in a reasonable
    place, cuts at the budget — never inside a combined character — and adds an ellipsis.
    """
    text = _WHITESPACE_RE.sub(" ", text or "").strip()
    if len(text) <= budget:
        return text
    window = text[: budget + 1]
    best = -1
    for index, char in enumerate(window[:budget]):
        if char in SENTENCE_ENDS:
            # Keep closing brackets/quotes that belong to the sentence: 「…。」
            end = index + 1
            while end < budget and text[end] in "」』）)】\"'”’":
                end += 1
            if end <= budget and not (end < len(text) and _is_joining(text[end])):
                best = end
    if best >= budget // 3:
        return text[:best].strip()
    cut = budget - 1
    while cut > 0 and _is_joining(text[cut]):
        cut -= 1
    # Also avoid cutting between a high and low part of a ZWJ emoji sequence.
    while cut > 0 and text[cut - 1] == "\u200d":
        cut -= 1
    return text[:cut].rstrip(" 、,") + ELLIPSIS


def reading_minutes(text: str) -> int:
    """Estimate minutes to read: CJK characters and Latin words at their own speeds."""
    cjk = len(_CJK_RE.findall(text or ""))
    latin_words = len(_LATIN_WORD_RE.findall(_CJK_RE.sub(" ", text or "")))
    minutes = cjk / CJK_CHARS_PER_MINUTE + latin_words / LATIN_WORDS_PER_MINUTE
    return max(1, math.ceil(minutes))
