"""Japanese morphological analysis of queries (SudachiPy with its small dictionary; see docs/search.md).

``content_words(text)`` returns, for each content word, the spellings an article may use for
it. Particles, auxiliaries, symbols, adverbs, conjunctions and pronouns are dropped; prefixes
and suffixes stay attached to their word (大+規模 → 大規模, 重要+性 → 重要性); light verbs
(する, いる, みる …) are dropped after another word (「生成する」 is about 生成).
"""

import functools
import threading

from sudachipy import Dictionary, SplitMode

_KEPT = {"名詞", "動詞", "形容詞", "形状詞"}
_INFLECTED = {"動詞", "形容詞"}
# Formal nouns carry no topic of their own.
_STOP_NOUNS = {"こと", "もの", "ため", "よう", "ところ", "とき", "の", "ん"}
# Endings a one-character stem takes, per conjugation class (the stem alone would match too much).
_GODAN_ROWS = ["かきくけこ", "がぎぐげご", "さしすせそ", "たちつてと", "なにぬねの", "ばびぶべぼ", "まみむめも", "らりるれろ", "わいうえお"]
_ICHIDAN_ENDINGS = "るたてなまよられさ"
_ADJECTIVE_ENDINGS = "いくかけさ"
# Transitive/intransitive pairs share a root: 決める ⇄ 決まる, 広げる ⇄ 広がる, 変える ⇄ 変わる.
_E_TO_A = dict(zip("めげけせてれべえ", "まがかさたらばわ"))
_A_TO_E = {a: e for e, a in _E_TO_A.items()}

_local = threading.local()


@functools.cache
def _dictionary() -> Dictionary:
    return Dictionary(dict="small")


def _tokenizer():
    # a Sudachi tokenizer is not safe to share between threads; the dictionary is
    if not hasattr(_local, "tokenizer"):
        _local.tokenizer = _dictionary().create(SplitMode.C)
    return _local.tokenizer


def _inflected_spellings(surface: str, lemma: str, conjugation: str, part: str) -> list[str]:
    """The surface and dictionary forms, and the stem (or, for a one-character stem, stem + endings)."""
    spellings = [surface, lemma]
    stem = lemma[:-1] if len(lemma) > 1 and "ぁ" <= lemma[-1] <= "ゖ" else ""
    if not stem:
        return spellings
    if part == "動詞" and len(stem) >= 2:
        paired = _E_TO_A if not conjugation.startswith("五段") else _A_TO_E if lemma[-1] == "る" else {}
        if stem[-1] in paired:
            spellings.append(stem[:-1] + paired[stem[-1]])
    if len(stem) >= 2:
        return spellings + [stem]
    if part == "形容詞":
        endings = _ADJECTIVE_ENDINGS
    elif conjugation.startswith("五段"):
        row = next((r for r in _GODAN_ROWS if lemma[-1] in r), "")
        # euphonic forms: 走っ(た), 読ん(だ), 書い(た)
        endings = row + ("っ" if row[0] in "たらわ" else "ん" if row[0] in "なばま" else "い" if row[0] in "かが" else "")
    else:
        endings = _ICHIDAN_ENDINGS
    return spellings + [stem + ending for ending in endings]


def content_words(value: str) -> list[list[str]]:
    """The content words of ``value`` (already normalized), each as its accepted spellings."""
    if not value.strip():
        return []
    words: list[list[str]] = []
    pending_prefix = ""
    previous_kept = False
    for morpheme in _tokenizer().tokenize(value):
        pos = morpheme.part_of_speech()
        part, surface = pos[0], morpheme.surface()
        if part == "接頭辞":
            pending_prefix += surface
            continue
        if part == "接尾辞" and words and previous_kept:
            words[-1] = [spelling + surface for spelling in words[-1][:1]]
            continue
        light = pos[1] == "非自立可能" and part in _INFLECTED
        if part not in _KEPT or (light and words) or surface in _STOP_NOUNS or pos[1] == "代名詞":
            pending_prefix, previous_kept = "", False
            continue
        if part in _INFLECTED:
            spellings = _inflected_spellings(surface, morpheme.dictionary_form(), pos[4], part)
        else:
            spellings = [surface]
        normalized = morpheme.normalized_form()  # a standard spelling: シュミレーション → シミュレーション
        if normalized not in spellings and part not in _INFLECTED:
            spellings.append(normalized)
        if pending_prefix:
            spellings = [pending_prefix + s for s in spellings]
        words.append(spellings)
        pending_prefix, previous_kept = "", True
    return words


def boundaries(value: str) -> set[int]:
    """Offsets in ``value`` where a morpheme starts or ends (where an alias may start or end)."""
    if not value:
        return {0}
    edges = {0, len(value)}
    for morpheme in _tokenizer().tokenize(value):
        edges.update((morpheme.begin(), morpheme.end()))
    return edges
