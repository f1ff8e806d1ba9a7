"""What a reader's query asks for: terms that must all occur, each with its accepted spellings.

A query is read left to right:

* ``"…"`` is an exact phrase (normalized like the text, never analysed);
* ``-word`` (or ``-"…"``) excludes articles containing it;
* ``a OR b`` accepts either side in the same place;
* any other word of one or two characters is matched exactly, as typed;
* a longer word is analysed with Sudachi (``analysis.py``): particles, auxiliaries and symbols
  are dropped, each content word becomes a term, and a verb or adjective is matched by its
  stem as well as the form typed, so 「決める」 also finds 「決めた」.

Documents need no analysis: every spelling is a substring of the normalized text
(``Article.search_document``), which the existing trigram and grams indexes answer.
"""

import functools
import operator
import re
from dataclasses import dataclass

from .. import text
from . import analysis

MAX_TERMS = 8
MAX_EXCLUDED = 4
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_OR = {"OR", "|", "ｏｒ"}
# A run kept whole: analysing "gpt-4o" would cut it into letters and digits.
_LATIN_RE = re.compile(r"[0-9a-z][0-9a-z.+#_\-]*[0-9a-z+#]|[0-9a-z]")


@dataclass(frozen=True)
class Term:
    """One thing the article must contain: any of ``spellings`` (normalized substrings)."""

    spellings: tuple[str, ...]

    @classmethod
    def of(cls, *spellings: str) -> "Term":
        # longer first: the snippet and highlight prefer the fuller spelling
        kept = dict.fromkeys(s for s in (text.normalize(x) for x in spellings) if s)
        return cls(tuple(sorted(kept, key=lambda s: (-len(s), s))))

    @property
    def needles(self) -> tuple[str, ...]:
        """The spellings worth testing: one containing another adds no match."""
        return tuple(s for s in self.spellings if not any(o != s and o in s for o in self.spellings))

    def __or__(self, other: "Term") -> "Term":
        return Term.of(*self.spellings, *other.spellings)


@dataclass(frozen=True)
class Query:
    """Every term must match and no excluded phrase may occur."""

    terms: tuple[Term, ...] = ()
    excluded: tuple[str, ...] = ()

    @classmethod
    def exact(cls, words: list[str]) -> "Query":
        """Each word as it is, one spelling each (the search before analysis, and tests)."""
        return cls(tuple(t for t in (Term.of(w) for w in words) if t.spellings))

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def highlights(self) -> list[str]:
        """Every spelling that may have matched, longest first (for <mark>)."""
        return sorted({s for term in self.terms for s in term.spellings}, key=lambda s: (-len(s), s))

    @property
    def key(self) -> str:
        """The same for the same search in any order (cache key material)."""
        terms = sorted("\x1f".join(t.spellings) for t in self.terms)
        return "\0".join(terms) + "\0\0" + "\0".join(sorted(self.excluded))


def _word_terms(word: str) -> list[Term]:
    """The terms of one space-free word: 1–2 characters exact, longer ones analysed."""
    folded = text.normalize(word)
    if len(folded) <= 2:
        return [Term.of(folded)]
    terms, done = [], 0
    for match in _LATIN_RE.finditer(folded):
        terms += [Term.of(*s) for s in analysis.content_words(folded[done : match.start()])]
        terms.append(Term.of(match.group()))
        done = match.end()
    terms += [Term.of(*s) for s in analysis.content_words(folded[done:])]
    # nothing but particles (「これは」): the word as typed, rather than nothing
    return [t for t in terms if t.spellings] or [Term.of(folded)]


def _operand_term(word: str) -> Term:
    """One side of ``OR``: a single word with its spellings, or the whole word as typed."""
    terms = _word_terms(word)
    return terms[0] if len(terms) == 1 else Term.of(word)


def parse(raw: str) -> Query:
    """Read a query already cleaned of control characters (``text.clean_user_text``)."""
    items = []  # (kind, value): ("word", str), ("phrase", Term), ("or", None), ("not", str)
    for match in _TOKEN_RE.finditer(raw or ""):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            phrase = " ".join(text.normalize(phrase).split())
            if phrase:
                items.append(("not", phrase) if negated else ("phrase", Term.of(phrase)))
        elif word in _OR:
            items.append(("or", None))
        elif word.startswith("-") and word.strip("-"):
            items.append(("not", text.normalize(word.lstrip("-"))))
        elif word.strip("-\"'"):
            items.append(("word", word))
    # a word next to OR is one operand; a run of operands joined by OR is one term
    terms, excluded, i = [], [], 0
    while i < len(items):
        kind, value = items[i]
        if kind == "not":
            excluded.append(value)
        elif kind != "or":
            chain = [items[i]]
            while i + 2 < len(items) and items[i + 1][0] == "or" and items[i + 2][0] in ("word", "phrase"):
                chain.append(items[i + 2])
                i += 2
            if len(chain) == 1:
                terms += [value] if kind == "phrase" else _word_terms(value)
            else:
                operands = [v if k == "phrase" else _operand_term(v) for k, v in chain]
                terms.append(functools.reduce(operator.or_, operands))
        i += 1
    unique = list(dict.fromkeys(terms))
    return Query(tuple(unique[:MAX_TERMS]), tuple(dict.fromkeys(excluded))[:MAX_EXCLUDED])
