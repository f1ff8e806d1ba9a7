"""The alias table: spellings a search treats as one word (NVIDIA ⇄ エヌビディア, LLM ⇄ 大規模言語モデル).

Editors keep it in the admin (``AliasGroup`` with its ``Alias`` rows). A page reads it in one
query; a caller may keep it (``table(memo)``) until a group or a spelling changes, and the
number of queries of a page does not depend on whether it was kept.

A group's tag is the tag whose name is one of its spellings: no link to keep in step, and an
imported tag named エヌビディア belongs to the NVIDIA group the moment it exists.
"""

import difflib
from dataclasses import dataclass, field

from .. import text

CACHE_NAME = "search-aliases"
_SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ", "あいうえおつやゆよわアイウエオツヤユヨワカケ")


@dataclass(frozen=True)
class AliasTable:
    """Groups of spellings, the preferred one first, with lookups by normalized spelling and slug."""

    groups: tuple[tuple[str, ...], ...] = ()
    index: dict = field(default_factory=dict)  # normalized spelling → group number
    slugs: dict = field(default_factory=dict)  # slug of a spelling → group number
    longest: int = 0

    @classmethod
    def build(cls, groups) -> "AliasTable":
        """From ``[(name, [spelling, …]), …]``; a spelling already seen stays with its first group."""
        kept, index, slugs = [], {}, {}
        for name, spellings in groups:
            unique = [s for s in dict.fromkeys([name, *spellings]) if text.normalize(s) and text.normalize(s) not in index]
            if not unique:
                continue
            number = len(kept)
            kept.append(tuple(unique))
            for spelling in unique:
                index.setdefault(text.normalize(spelling), number)
                slug = text.unicode_slugify(spelling)
                if slug:
                    slugs.setdefault(slug, number)
        return cls(tuple(kept), index, slugs, max((len(s) for s in index), default=0))

    def __bool__(self) -> bool:
        return bool(self.groups)

    def group(self, spelling: str) -> tuple[str, ...]:
        """Every spelling (as written, the preferred first) of the group of ``spelling``; ``()`` if none."""
        number = self.index.get(text.normalize(spelling))
        return self.groups[number] if number is not None else ()

    def normalized(self, spelling: str) -> tuple[str, ...]:
        """The group's spellings as search compares them, for a reader who typed ``spelling``.

        A Latin spelling of one or two letters is kept only when typed: as a substring it is
        inside too many words (ml in html, rl in url), so 機械学習 does not bring in ml.
        """
        typed = text.normalize(spelling)
        spellings = (text.normalize(s) for s in self.group(spelling))
        return tuple(dict.fromkeys(s for s in spellings if s == typed or not (len(s) <= 2 and s.isascii())))

    def preferred(self, spelling: str) -> str | None:
        group = self.group(spelling)
        return group[0] if group else None

    def by_slug(self, slug: str) -> tuple[str, ...]:
        number = self.slugs.get(slug)
        if number is None:
            number = self.index.get(text.normalize(slug))
        return self.groups[number] if number is not None else ()

    def spans(self, folded: str, boundaries) -> list[tuple[int, int]]:
        """Where spellings occur in ``folded`` (normalized), leftmost-longest, starting and ending
        on ``boundaries`` (morpheme and Latin-run edges): メタ in 「メタの新モデル」, not in 「メタデータ」."""
        if not self.index or not any(s in folded for s in self.index):
            return []
        edges = sorted(set(boundaries) | {0, len(folded)})
        found, done = [], 0
        for i, start in enumerate(edges):
            if start < done:
                continue
            for end in reversed(edges[i + 1 :]):
                if end - start <= self.longest and folded[start:end] in self.index:
                    found.append((start, end))
                    done = end
                    break
        return found

    def closest(self, word: str, cutoff: float = 0.75) -> str | None:
        """The preferred spelling of the group with a spelling most like ``word`` (a typo), if any.

        Small kana count as their full-size letters (エヌビデァ is near エヌビディア).
        """
        folded = text.normalize(word)
        if len(folded) < 3 or folded in self.index:
            return None
        loose = {spelling.translate(_SMALL_KANA): spelling for spelling in self.index}
        match = difflib.get_close_matches(folded.translate(_SMALL_KANA), list(loose), n=1, cutoff=cutoff)
        return self.groups[self.index[loose[match[0]]]][0] if match else None

    def completions(self, prefix: str, limit: int = 10) -> list[tuple[str, ...]]:
        """Groups with a spelling that starts with ``prefix`` (or contains it, after those)."""
        folded = text.normalize(prefix)
        if not folded:
            return []
        starts = [n for s, n in self.index.items() if s.startswith(folded)]
        within = [n for s, n in self.index.items() if folded in s and not s.startswith(folded)]
        numbers = list(dict.fromkeys(starts + within))[:limit]
        return [self.groups[n] for n in numbers]


EMPTY = AliasTable()


def load() -> AliasTable:
    """Read every group with its spellings, in one query."""
    from ..models import AliasGroup

    groups: dict[int, tuple[str, list[str]]] = {}
    rows = AliasGroup.objects.order_by("name", "aliases__spelling").values_list("pk", "name", "aliases__spelling")
    for pk, name, spelling in rows:
        groups.setdefault(pk, (name, []))[1].extend([spelling] if spelling else [])
    return AliasTable.build(groups.values())


def table(memo=None) -> AliasTable:
    """The alias table: ``load()``, or ``memo(name, load)``'s value (a copy kept by the caller)."""
    return memo(CACHE_NAME, load) if memo else load()
