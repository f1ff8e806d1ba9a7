"""What a reader's query asks for: terms that must all occur, each with its accepted spellings.

A query is read left to right:

* ``"…"`` is an exact phrase (normalized like the text, never analysed);
* ``-word`` (or ``-"…"``) excludes articles containing it;
* ``a OR b`` accepts either side in the same place;
* any other word of one or two characters is matched exactly, as typed;
* a longer word is analysed with Sudachi (``analysis.py``): particles, auxiliaries and symbols
  are dropped, each content word becomes a term, and a verb or adjective is matched by its
  stem as well as the form typed, so 「決める」 also finds 「決めた」;
* a word, or a run of morphemes inside one, that is a spelling in the alias table
  (``aliases.py``) is one term with every spelling of its group: 「エヌビディアの決算」 finds
  NVIDIA too. Quoted phrases and exclusions are taken as typed.

Documents need no analysis: every spelling is a substring of the normalized text
(``Article.search_document``), which the existing trigram and grams indexes answer.
"""

import functools
import operator
import re
from dataclasses import dataclass, field

from .. import text
from . import analysis
from .aliases import EMPTY, AliasTable

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
    # What the reader typed for it (a query can be written back from its terms' labels).
    label: str = field(default="", compare=False)

    @classmethod
    def of(cls, *spellings: str, label: str | None = None) -> "Term":
        # longer first: the snippet and highlight prefer the fuller spelling
        kept = dict.fromkeys(s for s in (text.normalize(x) for x in spellings) if s)
        first = next(iter(kept), "")
        return cls(tuple(sorted(kept, key=lambda s: (-len(s), s))), first if label is None else label)

    @property
    def needles(self) -> tuple[str, ...]:
        """The spellings worth testing: one containing another adds no match."""
        return tuple(s for s in self.spellings if not any(o != s and o in s for o in self.spellings))

    def __or__(self, other: "Term") -> "Term":
        return Term.of(*self.spellings, *other.spellings, label=f"{self.label} OR {other.label}")

    def with_aliases(self, aliases: AliasTable) -> "Term":
        """This term with every spelling of the alias groups of its spellings."""
        extra = [s for spelling in self.spellings for s in aliases.normalized(spelling)]
        return Term.of(*self.spellings, *extra, label=self.label) if extra else self


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
    def text(self) -> str:
        """The query as a reader would type it (from what was typed for each term)."""
        return self.text_replacing(None, "")

    def text_replacing(self, term: Term | None, word: str) -> str:
        """The query as a reader would type it, with ``word`` in place of ``term``."""
        kept = [word if t is term else t.label for t in self.terms]
        return " ".join(kept + [f'-"{p}"' if " " in p else f"-{p}" for p in self.excluded])

    @property
    def key(self) -> str:
        """The same for the same search in any order (cache key material)."""
        terms = sorted("\x1f".join(t.spellings) for t in self.terms)
        return "\0".join(terms) + "\0\0" + "\0".join(sorted(self.excluded))


def _analysed(folded: str) -> list[Term]:
    """Latin runs whole, the Japanese around them as content words."""
    terms, done = [], 0
    for match in _LATIN_RE.finditer(folded):
        terms += [Term.of(*s) for s in analysis.content_words(folded[done : match.start()])]
        terms.append(Term.of(match.group()))
        done = match.end()
    return terms + [Term.of(*s) for s in analysis.content_words(folded[done:])]


def _edges(folded: str) -> set[int]:
    """Morpheme edges of ``folded``, with Latin runs as single morphemes (ml is not in html)."""
    edges, done = {0, len(folded)}, 0
    for match in _LATIN_RE.finditer(folded):
        edges |= {done + e for e in analysis.boundaries(folded[done : match.start()])}
        edges |= {match.start(), match.end()}
        done = match.end()
    return edges | {done + e for e in analysis.boundaries(folded[done:])}


def _word_terms(word: str, aliases: AliasTable = EMPTY) -> list[Term]:
    """The terms of one space-free word: an alias whole, 1–2 characters exact, longer ones analysed."""
    folded = text.normalize(word)
    if folded in aliases.index:
        return [Term.of(folded, *aliases.normalized(folded))]
    if len(folded) <= 2:
        return [Term.of(folded)]
    terms, done = [], 0
    for start, end in aliases.spans(folded, _edges(folded)) if aliases else []:
        terms += _analysed(folded[done:start])
        span = folded[start:end]
        terms.append(Term.of(span, *aliases.normalized(span)))
        done = end
    terms += _analysed(folded[done:]) if done else _analysed(folded)
    terms = [t.with_aliases(aliases) if aliases else t for t in terms if t.spellings]
    # nothing but particles (「これは」): the word as typed, rather than nothing
    return terms or [Term.of(folded)]


def _operand_term(word: str, aliases: AliasTable = EMPTY) -> Term:
    """One side of ``OR``: a single word with its spellings, or the whole word as typed."""
    terms = _word_terms(word, aliases)
    return terms[0] if len(terms) == 1 else Term.of(word)


def parse(raw: str, aliases: AliasTable = EMPTY) -> Query:
    """Read a query already cleaned of control characters (``text.clean_user_text``), with the
    spellings of ``aliases`` (``aliases.table()``) for the words they name."""
    items = []  # (kind, value): ("word", str), ("phrase", Term), ("or", None), ("not", str)
    for match in _TOKEN_RE.finditer(raw or ""):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            phrase = " ".join(text.normalize(phrase).split())
            if phrase:
                items.append(("not", phrase) if negated else ("phrase", Term.of(phrase, label=f'"{phrase}"')))
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
                terms += [value] if kind == "phrase" else _word_terms(value, aliases)
            else:
                operands = [v if k == "phrase" else _operand_term(v, aliases) for k, v in chain]
                terms.append(functools.reduce(operator.or_, operands))
        i += 1
    unique = list(dict.fromkeys(terms))
    return Query(tuple(unique[:MAX_TERMS]), tuple(dict.fromkeys(excluded))[:MAX_EXCLUDED])
